@testable import LockstepWebSocket

/// Test driver: feeds wire bytes to a decoder and a session in chunks of a chosen size, as a
/// real connection would, and records what came out.
struct FrameFeeder {
    enum Event: Equatable {
        case message(WebSocketMessageKind, [UInt8])
        case action(WebSocketSession.Action)
        case error(WebSocketProtocolError)
    }

    var reader: WebSocketFrameReader
    var session: WebSocketSession {
        get { reader.session }
        set { reader.session = newValue }
    }
    private var buffer: [UInt8] = []
    private(set) var events: [Event] = []

    init(role: WebSocketRole = .server, maxFrameSize: Int = 1 << 20, maxMessageSize: Int = 1 << 20) {
        reader = WebSocketFrameReader(role: role, maxFrameSize: maxFrameSize, maxMessageSize: maxMessageSize)
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

    /// Reads whole frames through `WebSocketFrameReader`, as the connection drivers do.
    private mutating func drain() -> Bool {
        var consumed = 0
        defer { buffer.removeFirst(consumed) }
        var reader = self.reader
        defer { self.reader = reader }
        return buffer.withUnsafeMutableBytes { bytes -> Bool in
            while true {
                switch reader.readFrame(bytes, offset: &consumed) {
                case .needMoreBytes:
                    return true
                case .action(let action, let payload):
                    switch action {
                    case .message(let kind, .frame): events.append(.message(kind, Array(payload)))
                    case .message(let kind, .assembled): events.append(.message(kind, reader.session.assembledMessage))
                    case .none: break
                    case .failConnection(let error) where payload.isEmpty && consumed == bytes.count && reader.session.state == .closed:
                        events.append(.action(.failConnection(error)))
                        return false
                    default: events.append(.action(action))
                    }
                    if case .failConnection = action { return false }
                }
            }
        }
    }
}
