@testable import LockstepWebSocket

/// Test driver: feeds wire bytes to a decoder and a session in chunks of a chosen size, as a
/// real connection would, and records what came out.
struct FrameFeeder {
    enum Event: Equatable {
        case message(WebSocketMessageKind, [UInt8])
        case action(WebSocketSession.Action)
        case error(WebSocketProtocolError)
    }

    var decoder: WebSocketFrameDecoder
    var session: WebSocketSession
    private var buffer: [UInt8] = []
    private(set) var events: [Event] = []

    init(role: WebSocketRole = .server, maxFrameSize: Int = 1 << 20, maxMessageSize: Int = 1 << 20) {
        decoder = WebSocketFrameDecoder(role: role, maxFrameSize: maxFrameSize)
        session = WebSocketSession(role: role, maxMessageSize: maxMessageSize)
    }

    /// Feeds `bytes` split into chunks of `chunk` bytes; stops at the first failure.
    mutating func feed(_ bytes: [UInt8], chunk: Int = .max) {
        var offset = 0
        while offset < bytes.count {
            let end = min(bytes.count, offset + max(1, chunk == .max ? bytes.count : chunk))
            buffer.append(contentsOf: bytes[offset..<end])
            offset = end
            if !drain() { return }
        }
    }

    private mutating func drain() -> Bool {
        while true {
            let header: WebSocketFrameHeader?
            do {
                header = try buffer.withUnsafeBytes { try decoder.decodeHeader($0) }
            } catch let error as WebSocketProtocolError {
                events.append(.error(error))
                return false
            } catch {
                return false
            }
            guard let header, buffer.count >= header.frameLength else { return true }
            var payload = Array(buffer[header.headerLength..<header.frameLength])
            if let key = header.maskingKey { payload.withUnsafeMutableBytes { key.apply(to: $0) } }
            buffer.removeFirst(header.frameLength)
            let action = payload.withUnsafeBytes { session.receive(header, payload: $0) }
            switch action {
            case .message(let kind, .frame): events.append(.message(kind, payload))
            case .message(let kind, .assembled): events.append(.message(kind, session.assembledMessage))
            case .none: break
            default: events.append(.action(action))
            }
            if case .failConnection = action { return false }
        }
    }
}
