import LockstepCore

/// A HELLO: the first message of every connection.
public struct Hello: Equatable, Sendable {
    /// The protocol version the client speaks.
    public var version: UInt16
    /// The join token (player or spectator), as minted by the server.
    public var token: String
    /// On reconnect: the last confirmed tick the client holds; the server resends everything after it.
    public var lastTick: Tick?

    public init(version: UInt16 = ProtocolVersion.current, token: String, lastTick: Tick? = nil) {
        self.version = version
        self.token = token
        self.lastTick = lastTick
    }
}

/// A message from a client, decoded without copying: an input's payload points into the message
/// buffer and is valid only while that buffer is.
public enum ClientMessage {
    case hello(Hello)
    case input(tick: Tick, slot: PlayerSlot, payload: UnsafeRawBufferPointer)
    case stateHash(tick: Tick, hash: UInt64)
    case ping(clientTime: UInt64)
    case leave
    case matchOver(tick: Tick)
    case inputDelay(ticks: UInt16)

    /// The largest token a HELLO may carry.
    public static let maxTokenLength = 1024

    /// Decodes one client message.
    ///
    /// - Throws: `ProtocolError` with `unknownMessageType` or `malformedMessage`.
    public static func decode(_ bytes: UnsafeRawBufferPointer) throws(ProtocolError) -> ClientMessage {
        var reader = WireReader(bytes)
        let rawType = try reader.u8("the message type")
        guard let type = MessageType(rawValue: rawType), type.rawValue < 0x80 else {
            throw ProtocolError(.unknownMessageType, "type 0x\(String(rawType, radix: 16)) is not a client message")
        }
        let message: ClientMessage
        switch type {
        case .hello:
            let version = try reader.integer(UInt16.self, "version")
            let flags = try reader.u8("flags")
            let lastTick = try reader.integer(UInt32.self, "last tick")
            let length = Int(try reader.integer(UInt16.self, "token length"))
            guard length <= maxTokenLength else { throw ProtocolError(.malformedMessage, "token longer than \(maxTokenLength) bytes") }
            let token = try reader.utf8(try reader.bytes(length, "token"), "token")
            guard flags & ~1 == 0 else { throw ProtocolError(.malformedMessage, "reserved HELLO flags set") }
            message = .hello(Hello(version: version, token: token, lastTick: flags & 1 == 1 ? Tick(lastTick) : nil))
        case .input:
            let tick = Tick(try reader.integer(UInt32.self, "tick"))
            let slot = PlayerSlot(try reader.u8("slot"))
            message = .input(tick: tick, slot: slot, payload: reader.rest())
        case .stateHash:
            message = .stateHash(tick: Tick(try reader.integer(UInt32.self, "tick")), hash: try reader.integer(UInt64.self, "hash"))
        case .ping:
            message = .ping(clientTime: try reader.integer(UInt64.self, "client time"))
        case .leave:
            message = .leave
        case .matchOver:
            message = .matchOver(tick: Tick(try reader.integer(UInt32.self, "tick")))
        case .inputDelay:
            message = .inputDelay(ticks: try reader.integer(UInt16.self, "delay"))
        default:
            throw ProtocolError(.unknownMessageType, "type 0x\(String(rawType, radix: 16)) is not a client message")
        }
        try reader.expectEnd("\(type)")
        return message
    }
}

/// Encodes client messages (used by the client library, bots and tests).
public enum ClientMessageEncoder {
    public static func hello(_ hello: Hello, into writer: inout WireWriter) {
        writer.u8(MessageType.hello.rawValue)
        writer.integer(hello.version)
        writer.u8(hello.lastTick == nil ? 0 : 1)
        writer.integer(hello.lastTick?.rawValue ?? 0)
        let token = Array(hello.token.utf8)
        writer.integer(UInt16(truncatingIfNeeded: token.count))
        writer.bytes.append(contentsOf: token)
    }

    public static func input(tick: Tick, slot: PlayerSlot, payload: UnsafeRawBufferPointer, into writer: inout WireWriter) {
        writer.u8(MessageType.input.rawValue)
        writer.integer(tick.rawValue)
        writer.u8(slot.rawValue)
        writer.raw(payload)
    }

    public static func input(tick: Tick, slot: PlayerSlot, payload: [UInt8], into writer: inout WireWriter) {
        payload.withUnsafeBytes { input(tick: tick, slot: slot, payload: $0, into: &writer) }
    }

    public static func stateHash(tick: Tick, hash: UInt64, into writer: inout WireWriter) {
        writer.u8(MessageType.stateHash.rawValue)
        writer.integer(tick.rawValue)
        writer.integer(hash)
    }

    public static func ping(clientTime: UInt64, into writer: inout WireWriter) {
        writer.u8(MessageType.ping.rawValue)
        writer.integer(clientTime)
    }

    public static func leave(into writer: inout WireWriter) {
        writer.u8(MessageType.leave.rawValue)
    }

    public static func matchOver(tick: Tick, into writer: inout WireWriter) {
        writer.u8(MessageType.matchOver.rawValue)
        writer.integer(tick.rawValue)
    }

    public static func inputDelay(ticks: UInt16, into writer: inout WireWriter) {
        writer.u8(MessageType.inputDelay.rawValue)
        writer.integer(ticks)
    }
}
