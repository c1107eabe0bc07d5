import LockstepEventLoop
import LockstepHTTP
import LockstepWebSocket

/// The client side of the WebSocket codec over an event loop: connect, handshake, send masked
/// messages, receive, close. Used by the benchmark and the tests; the game client library can
/// build on it. Confined to its loop's thread (hence `@unchecked Sendable`): `init`, the `send`s,
/// `sendPing`, `sendRaw`, `close` and `enableReceiveTimestamps` check it in debug builds
/// (`EventLoop.assertInEventLoop()`), as do the `TCPConnection` calls below them.
public final class WebSocketClient: TCPConnectionDelegate, @unchecked Sendable {
    private enum Phase {
        case handshaking
        case open
        case closed
    }

    /// Free for the owner's per-connection state.
    public var userData: AnyObject?
    /// Whether pings are answered with pongs (the protocol requires it; `false` plays a peer that
    /// has gone quiet without closing, for idle-timeout tests).
    public var answersPings = true
    /// Receives the events.
    public weak var delegate: WebSocketClientDelegate?
    private let tcp: TCPConnection
    private let handshake: WebSocketClientHandshake
    private var phase = Phase.handshaking
    private var reader: WebSocketFrameReader
    private var random = SystemRandomNumberGenerator()
    private var scratch: [UInt8] = []

    /// Connects to `ws://host:port/path` on `loop` (loop thread only); events go to `delegate`.
    ///
    /// - Throws: `SystemError` when the socket cannot be created or the connect fails at once.
    public init(
        host: String, port: Int, path: String, subprotocols: [String] = [], on loop: EventLoop,
        delegate: WebSocketClientDelegate, maxMessageSize: Int = 16 * 1024 * 1024
    ) throws(SystemError) {
        loop.assertInEventLoop()
        let fd = try Socket.connect(host: host, port: port)
        var configuration = TCPConnectionConfiguration()
        configuration.maxReadBufferSize = maxMessageSize + 64 * 1024
        configuration.outboundCap = max(configuration.outboundCap, 2 * maxMessageSize + 1024)
        configuration.outboundHighWatermark = max(configuration.outboundHighWatermark, maxMessageSize + 1024)
        tcp = TCPConnection(fd: fd, eventLoop: loop, remoteAddress: "\(host):\(port)", configuration: configuration)
        handshake = WebSocketClientHandshake(host: "\(host):\(port)", path: path, subprotocols: subprotocols)
        reader = WebSocketFrameReader(role: .client, maxFrameSize: maxMessageSize, maxMessageSize: maxMessageSize)
        self.delegate = delegate
        tcp.delegate = self
        try tcp.start()
        handshake.requestBytes().withUnsafeBytes { tcp.write($0) }
    }

    /// The loop the client runs on.
    public var eventLoop: EventLoop { tcp.eventLoop }
    /// Whether messages can be sent.
    public var isOpen: Bool { phase == .open && reader.session.state == .open }
    /// Bytes queued and not yet written.
    public var queuedBytes: Int { tcp.queuedBytes }
    /// When the kernel received the bytes of the latest read, `CLOCK_REALTIME` nanoseconds; 0
    /// unless `enableReceiveTimestamps()` was called (see `TCPConnection.lastReceiveRealtime`).
    public var lastReceiveRealtime: UInt64 { tcp.lastReceiveRealtime }

    /// Has the kernel stamp received data, for `lastReceiveRealtime`.
    public func enableReceiveTimestamps() throws(SystemError) {
        tcp.eventLoop.assertInEventLoop()
        try tcp.enableReceiveTimestamps()
    }

    /// Sends a message as one frame, masked with a fresh random key.
    public func send(_ kind: WebSocketMessageKind, payload: UnsafeRawBufferPointer) {
        tcp.eventLoop.assertInEventLoop()
        sendFrame(fin: true, opcode: kind.opcode, payload: payload)
    }

    /// Sends a message split into frames of at most `fragmentSize` bytes (for tests of fragmentation).
    public func send(_ kind: WebSocketMessageKind, payload: UnsafeRawBufferPointer, fragmentSize: Int) {
        tcp.eventLoop.assertInEventLoop()
        let size = max(1, fragmentSize)
        var offset = 0
        repeat {
            let end = min(payload.count, offset + size)
            sendFrame(
                fin: end == payload.count, opcode: offset == 0 ? kind.opcode : .continuation,
                payload: UnsafeRawBufferPointer(rebasing: payload[offset..<end]))
            offset = end
        } while offset < payload.count
    }

    /// Sends a ping.
    public func sendPing(payload: UnsafeRawBufferPointer) {
        tcp.eventLoop.assertInEventLoop()
        sendFrame(fin: true, opcode: .ping, payload: UnsafeRawBufferPointer(rebasing: payload.prefix(125)))
    }

    /// Sends raw bytes as they are (for tests that must break the protocol on purpose).
    public func sendRaw(_ bytes: UnsafeRawBufferPointer) {
        tcp.eventLoop.assertInEventLoop()
        tcp.write(bytes)
    }

    private func sendFrame(fin: Bool, opcode: WebSocketOpcode, payload: UnsafeRawBufferPointer) {
        guard phase == .open, reader.session.state == .open || opcode == .connectionClose else { return }
        scratch.removeAll(keepingCapacity: true)
        WebSocketFrameEncoder.appendFrame(
            to: &scratch, fin: fin, opcode: opcode, payload: payload, maskingKey: .random(using: &random))
        scratch.withUnsafeBytes { tcp.write($0) }
    }

    /// Starts the close handshake.
    public func close(code: WebSocketCloseCode = .normalClosure, reason: String = "") {
        tcp.eventLoop.assertInEventLoop()
        guard phase == .open else {
            tcp.close()
            return
        }
        guard reader.session.startClosing() else { return }
        WebSocketFrameEncoder.closePayload(code: code, reason: reason).withUnsafeBytes {
            sendFrame(fin: true, opcode: .connectionClose, payload: $0)
        }
    }

    // MARK: TCPConnectionDelegate

    public func connection(_ connection: TCPConnection, didRead bytes: UnsafeMutableRawBufferPointer) -> Int {
        var offset = 0
        if phase == .handshaking {
            do {
                guard let (head, consumed) = try HTTPResponseHead.parse(UnsafeRawBufferPointer(bytes)) else { return 0 }
                _ = try handshake.validate(head)
                offset = consumed
                phase = .open
                delegate?.webSocketClientDidConnect(self)
            } catch {
                end(code: .abnormalClosure, reason: "handshake failed: \(error)")
                tcp.close()
                return bytes.count
            }
        }
        reading: while offset < bytes.count, phase == .open {
            switch reader.readFrame(bytes, offset: &offset) {
            case .needMoreBytes(let frameLength):
                if let frameLength { tcp.reserveReadCapacity(frameLength) }
                break reading
            case .action(let action, let payload):
                act(on: action, payload: payload)
            }
        }
        return offset
    }

    private func act(on action: WebSocketSession.Action, payload: UnsafeRawBufferPointer) {
        switch action {
        case .none, .pongReceived:
            return
        case .message(let kind, .frame):
            delegate?.webSocketClient(self, didReceive: kind, payload: payload)
        case .message(let kind, .assembled):
            let message = reader.session.takeAssembledMessage()
            message.withUnsafeBytes { delegate?.webSocketClient(self, didReceive: kind, payload: $0) }
            reader.session.returnBuffer(message)
        case .sendPong:
            if answersPings { sendFrame(fin: true, opcode: .pong, payload: payload) }
        case .replyToClose(let code, let reply):
            reply.withUnsafeBytes { sendFrame(fin: true, opcode: .connectionClose, payload: $0) }
            end(code: code, reason: "closed by server")
            tcp.closeAfterFlush()
        case .closeHandshakeComplete(let code):
            end(code: code, reason: "close handshake complete")
            tcp.closeAfterFlush()
        case .failConnection(let error):
            failConnection(error)
        }
    }

    private func failConnection(_ error: WebSocketProtocolError) {
        WebSocketFrameEncoder.closePayload(code: error.closeCode, reason: error.reason).withUnsafeBytes {
            sendFrame(fin: true, opcode: .connectionClose, payload: $0)
        }
        end(code: error.closeCode, reason: error.reason)
        tcp.closeAfterFlush()
    }

    private func end(code: WebSocketCloseCode, reason: String) {
        guard phase != .closed else { return }
        phase = .closed
        reader.session.markClosed()
        delegate?.webSocketClientDidClose(self, code: code, reason: reason)
    }

    public func connection(_ connection: TCPConnection, writabilityChanged isWritable: Bool) {}

    public func connectionOutboundOverflow(_ connection: TCPConnection) {
        end(code: .policyViolation, reason: "outbound queue overflow")
        tcp.close()
    }

    public func connectionDidClose(_ connection: TCPConnection, error: SystemError?) {
        end(code: .abnormalClosure, reason: error.map { String(describing: $0) } ?? "connection closed")
    }
}
