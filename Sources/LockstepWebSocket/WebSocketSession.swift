/// The protocol state of one WebSocket connection after the handshake, as a value-type state machine.
///
/// The driver decodes a frame header with `WebSocketFrameDecoder`, waits for the payload,
/// unmasks it, and passes both to `receive`; the returned action says what to do (deliver a
/// message, send a pong, send a close and disconnect). The session does no I/O and keeps no
/// clock. Fragments are gathered into one reusable buffer; a message in a single frame is
/// delivered straight from the caller's buffer, without a copy.
public struct WebSocketSession: Sendable {
    /// The connection's place in the close handshake.
    public enum State: Sendable, Equatable {
        /// Messages flow both ways.
        case open
        /// We sent a close frame and wait for the peer's.
        case closeSent
        /// The close handshake is over (or the connection failed): close the TCP connection.
        case closed
    }

    /// Where a delivered message's bytes are.
    public enum PayloadSource: Sendable, Equatable {
        /// The payload of the frame just passed to `receive`.
        case frame
        /// `assembledMessage`: the gathered fragments.
        case assembled
    }

    /// What the driver must do after `receive`.
    public enum Action: Sendable, Equatable {
        /// Nothing (a fragment was gathered, or a frame was ignored during closing).
        case none
        /// A whole message arrived.
        case message(WebSocketMessageKind, PayloadSource)
        /// A ping arrived: send a pong with the frame's payload.
        case sendPong
        /// A pong arrived (for round-trip measurement; nothing to send).
        case pongReceived
        /// The peer started the close handshake: send a close frame with `payload` (its code echoed),
        /// then close the TCP connection. `code` is what the peer sent (1005 when it sent none).
        case replyToClose(code: WebSocketCloseCode, payload: [UInt8])
        /// The peer answered our close: close the TCP connection.
        case closeHandshakeComplete(code: WebSocketCloseCode)
        /// The peer broke the protocol: send a close frame with this code and disconnect.
        case failConnection(WebSocketProtocolError)
    }

    /// The role that decides masking.
    public let role: WebSocketRole
    /// The largest message accepted, summed over its fragments (a server may lower it for a
    /// connection that has not authenticated yet).
    public var maxMessageSize: Int
    /// The current close-handshake state.
    public private(set) var state: State = .open
    /// The fragments gathered so far (valid after `.message(_, .assembled)` until the next `receive`).
    public private(set) var assembledMessage: [UInt8] = []
    private var fragmentedKind: WebSocketMessageKind?
    private var utf8 = UTF8Validator()
    private var releaseAssembled = false

    /// Creates an open session.
    public init(role: WebSocketRole, maxMessageSize: Int) {
        self.role = role
        self.maxMessageSize = maxMessageSize
    }

    /// Validates the first bytes of a text frame that has not fully arrived, so invalid UTF-8
    /// fails the connection at once instead of when the frame ends.
    ///
    /// - Parameter bytes: payload bytes following those already passed for this frame, unmasked.
    /// - Returns: `false` when the text is already invalid. Pass the count of bytes validated
    ///   this way as `validatedPrefix` when the whole frame is received.
    public mutating func validatePartialPayload(_ header: WebSocketFrameHeader, _ bytes: UnsafeRawBufferPointer) -> Bool {
        guard state == .open else { return true }
        let isText = header.opcode == .text ? fragmentedKind == nil : header.opcode == .continuation && fragmentedKind == .text
        return !isText || utf8.feed(bytes)
    }

    /// Processes one frame whose payload is already unmasked.
    ///
    /// - Parameter validatedPrefix: how many leading payload bytes `validatePartialPayload` already checked.
    public mutating func receive(
        _ header: WebSocketFrameHeader, payload: UnsafeRawBufferPointer, validatedPrefix: Int = 0
    ) -> Action {
        if releaseAssembled {
            assembledMessage.removeAll(keepingCapacity: assembledMessage.capacity <= 1 << 20)
            releaseAssembled = false
        }
        guard state != .closed else { return .none }
        switch header.opcode {
        case .ping: return state == .open ? .sendPong : .none
        case .pong: return .pongReceived
        case .connectionClose: return receiveClose(payload)
        default: return receiveData(header, payload: payload, validatedPrefix: validatedPrefix)
        }
    }

    /// Moves the gathered message out (valid after `.message(_, .assembled)`), so a handler can
    /// use it while the session is mutated; give the storage back with `returnBuffer`.
    public mutating func takeAssembledMessage() -> [UInt8] {
        var message: [UInt8] = []
        swap(&message, &assembledMessage)
        releaseAssembled = false
        return message
    }

    /// Takes back a buffer from `takeAssembledMessage` to reuse its storage (large ones are dropped).
    public mutating func returnBuffer(_ buffer: [UInt8]) {
        guard assembledMessage.isEmpty, buffer.capacity <= 1 << 20 else { return }
        var buffer = buffer
        buffer.removeAll(keepingCapacity: true)
        assembledMessage = buffer
    }

    /// Records that we are sending a close frame; returns `false` when one was already sent.
    public mutating func startClosing() -> Bool {
        guard state == .open else { return false }
        state = .closeSent
        return true
    }

    /// Records that the connection failed or the TCP connection is gone.
    public mutating func markClosed() {
        state = .closed
    }

    private mutating func receiveData(
        _ header: WebSocketFrameHeader, payload: UnsafeRawBufferPointer, validatedPrefix: Int
    ) -> Action {
        let kind: WebSocketMessageKind
        if header.opcode == .continuation {
            guard let open = fragmentedKind else { return fail(.unexpectedContinuation) }
            kind = open
        } else {
            guard fragmentedKind == nil else { return fail(.expectedContinuation) }
            kind = header.opcode == .text ? .text : .binary
        }
        // After our close, data is read and dropped (RFC 6455 section 1.4), but framing is still checked.
        let deliver = state == .open
        if kind == .text, deliver {
            let unchecked = UnsafeRawBufferPointer(rebasing: payload[min(validatedPrefix, payload.count)...])
            guard utf8.feed(unchecked) else { return fail(.invalidUTF8) }
            if header.fin, !utf8.isComplete { return fail(.invalidUTF8) }
        }
        if header.fin, fragmentedKind == nil {
            utf8 = UTF8Validator()
            guard payload.count <= maxMessageSize else { return fail(.messageTooLarge(limit: maxMessageSize)) }
            return deliver ? .message(kind, .frame) : .none
        }
        guard assembledMessage.count + payload.count <= maxMessageSize else {
            return fail(.messageTooLarge(limit: maxMessageSize))
        }
        if deliver { assembledMessage.append(contentsOf: payload) }
        if header.fin {
            fragmentedKind = nil
            utf8 = UTF8Validator()
            releaseAssembled = true
            return deliver ? .message(kind, .assembled) : .none
        }
        fragmentedKind = kind
        return .none
    }

    private mutating func receiveClose(_ payload: UnsafeRawBufferPointer) -> Action {
        var code = WebSocketCloseCode.noStatusReceived
        if payload.count == 1 { return fail(.invalidClosePayload) }
        if payload.count >= 2 {
            code = WebSocketCloseCode(rawValue: UInt16(payload[0]) << 8 | UInt16(payload[1]))
            guard code.isValidOnTheWire else { return fail(.invalidClosePayload) }
            guard UTF8Validator.isValid(UnsafeRawBufferPointer(rebasing: payload[2...])) else { return fail(.invalidUTF8) }
        }
        if state == .closeSent {
            state = .closed
            return .closeHandshakeComplete(code: code)
        }
        state = .closed
        let reply = payload.count >= 2 ? [payload[0], payload[1]] : []
        return .replyToClose(code: code, payload: reply)
    }

    private mutating func fail(_ error: WebSocketProtocolError) -> Action {
        state = .closed
        return .failConnection(error)
    }
}
