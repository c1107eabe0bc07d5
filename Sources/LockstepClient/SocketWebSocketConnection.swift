import LockstepHTTP
import LockstepWebSocket

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One client WebSocket over a plain non-blocking socket: connect, handshake, masked frames out,
/// frames in through `LockstepWebSocket`'s codec. Confined to the `SocketTransport`'s thread; it
/// reports what happens through `report`.
final class SocketWebSocketConnection {
    enum Phase {
        case connecting
        case handshaking
        case open
        case closed
    }

    private(set) var phase = Phase.connecting
    let fd: Int32
    private let handshake: WebSocketClientHandshake
    private let maxMessageSize: Int
    private var reader: WebSocketFrameReader
    private var input: [UInt8]
    private var inputCount = 0
    private var output: [UInt8] = []
    private var random = SystemRandomNumberGenerator()
    private let report: (TransportEvent) -> Void
    private let hello: [UInt8]

    /// Starts connecting to `ws://host:port/path`; `nil` when the connect fails at once.
    init?(
        host: String, port: Int, path: String, subprotocols: [String], hello: [UInt8], maxMessageSize: Int,
        report: @escaping (TransportEvent) -> Void) {
        guard let fd = PlainSocket.startConnect(host: host, port: port) else { return nil }
        self.fd = fd
        self.maxMessageSize = maxMessageSize
        self.report = report
        self.hello = hello
        handshake = WebSocketClientHandshake(host: "\(host):\(port)", path: path, subprotocols: subprotocols)
        reader = WebSocketFrameReader(role: .client, maxFrameSize: maxMessageSize, maxMessageSize: maxMessageSize)
        input = [UInt8](repeating: 0, count: 16 * 1024)
    }

    /// The `poll(2)` events to wait for.
    var wantedEvents: Int16 {
        let writable = phase == .connecting || !output.isEmpty
        return Int16(truncatingIfNeeded: POLLIN) | (writable ? Int16(truncatingIfNeeded: POLLOUT) : 0)
    }

    /// Handles what `poll` reported for the socket.
    func handle(revents: Int16) {
        guard phase != .closed else { return }
        if phase == .connecting, revents != 0 {
            guard PlainSocket.connectError(fd) == 0 else {
                end(code: 1006)
                return
            }
            phase = .handshaking
            output += handshake.requestBytes()
        }
        if revents & Int16(truncatingIfNeeded: POLLIN | POLLHUP | POLLERR) != 0 { readAvailable() }
        flush()
    }

    /// Sends one binary message (dropped unless open).
    func send(_ message: [UInt8]) {
        guard phase == .open, reader.session.state == .open else { return }
        message.withUnsafeBytes { appendFrame(opcode: .binary, payload: $0) }
        flush()
    }

    /// Closes with a close frame (best effort) and releases the socket.
    func close(code: WebSocketCloseCode, reason: String) {
        guard phase != .closed else { return }
        if phase == .open, reader.session.startClosing() {
            WebSocketFrameEncoder.closePayload(code: code, reason: reason).withUnsafeBytes { appendFrame(opcode: .connectionClose, payload: $0) }
            flush()
        }
        phase = .closed
        PlainSocket.closeDescriptor(fd)
    }

    /// Cuts the connection with no close frame, as a network failure would.
    func abort() {
        end(code: 1006)
    }

    private func appendFrame(opcode: WebSocketOpcode, payload: UnsafeRawBufferPointer) {
        WebSocketFrameEncoder.appendFrame(to: &output, opcode: opcode, payload: payload, maskingKey: .random(using: &random))
    }

    private func flush() {
        guard phase != .closed, phase != .connecting, !output.isEmpty else { return }
        guard let written = output.withUnsafeBytes({ PlainSocket.transmit(fd, $0) }) else {
            end(code: 1006)
            return
        }
        output.removeFirst(written)
    }

    private func readAvailable() {
        while phase == .handshaking || phase == .open {
            if inputCount == input.count {
                guard input.count < maxMessageSize + 64 * 1024 else {
                    end(code: 1009)
                    return
                }
                input += [UInt8](repeating: 0, count: input.count)
            }
            let result = input.withUnsafeMutableBytes { PlainSocket.receive(fd, into: UnsafeMutableRawBufferPointer(rebasing: $0[inputCount...])) }
            switch result {
            case .wouldBlock:
                return
            case .closed:
                process()
                end(code: 1006)
                return
            case .bytes(let count):
                inputCount += count
                process()
            }
        }
    }

    /// Consumes the handshake answer and every whole frame in the input buffer.
    private func process() {
        var offset = 0
        if phase == .handshaking {
            let parsed: (HTTPResponseHead, consumed: Int)?
            do {
                parsed = try input.withUnsafeBytes { bytes throws(HTTPParseError) in
                    try HTTPResponseHead.parse(UnsafeRawBufferPointer(rebasing: bytes[..<inputCount]))
                }
            } catch {
                end(code: 1006)
                return
            }
            // An incomplete answer waits for more bytes.
            guard let parsed else { return }
            guard (try? handshake.validate(parsed.0)) != nil else {
                end(code: 1006)
                return
            }
            offset = parsed.consumed
            phase = .open
            hello.withUnsafeBytes { appendFrame(opcode: .binary, payload: $0) }
            report(.opened)
        }
        input.withUnsafeMutableBytes { buffer in
            let filled = UnsafeMutableRawBufferPointer(rebasing: buffer[..<inputCount])
            reading: while offset < inputCount, phase == .open {
                switch reader.readFrame(filled, offset: &offset) {
                case .needMoreBytes:
                    break reading
                case .action(let action, let payload):
                    act(on: action, payload: payload)
                }
            }
        }
        guard phase != .closed else { return }
        if offset > 0 {
            input.withUnsafeMutableBytes { buffer in
                guard let base = buffer.baseAddress else { return }
                memmove(base, base + offset, inputCount - offset)
            }
            inputCount -= offset
        }
    }

    private func act(on action: WebSocketSession.Action, payload: UnsafeRawBufferPointer) {
        switch action {
        case .none, .pongReceived:
            return
        case .message(let kind, .frame):
            if kind == .binary { report(.received(Array(payload))) }
        case .message(let kind, .assembled):
            let message = reader.session.takeAssembledMessage()
            if kind == .binary { report(.received(message)) }
            reader.session.returnBuffer(message)
        case .sendPong:
            appendFrame(opcode: .pong, payload: payload)
        case .replyToClose(let code, let reply):
            reply.withUnsafeBytes { appendFrame(opcode: .connectionClose, payload: $0) }
            flush()
            end(code: code.rawValue)
        case .closeHandshakeComplete(let code):
            end(code: code.rawValue)
        case .failConnection(let error):
            WebSocketFrameEncoder.closePayload(code: error.closeCode, reason: error.reason).withUnsafeBytes {
                appendFrame(opcode: .connectionClose, payload: $0)
            }
            flush()
            end(code: error.closeCode.rawValue)
        }
    }

    /// The connection is over: release the socket and report the close once.
    private func end(code: UInt16) {
        guard phase != .closed else { return }
        phase = .closed
        reader.session.markClosed()
        PlainSocket.closeDescriptor(fd)
        report(.closed(code: code))
    }
}
