/// A frame's opcode (RFC 6455 section 5.2), as the four low bits of the first header byte.
public struct WebSocketOpcode: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    /// The 4-bit value.
    public var rawValue: UInt8

    /// Wraps a 4-bit value; unknown values are representable so the decoder can reject them by name.
    public init(rawValue: UInt8) {
        self.rawValue = rawValue & 0x0F
    }

    /// 0x0: a continuation of a fragmented message.
    public static let continuation = WebSocketOpcode(rawValue: 0x0)
    /// 0x1: the first frame of a text message.
    public static let text = WebSocketOpcode(rawValue: 0x1)
    /// 0x2: the first frame of a binary message.
    public static let binary = WebSocketOpcode(rawValue: 0x2)
    /// 0x8: a close frame.
    public static let connectionClose = WebSocketOpcode(rawValue: 0x8)
    /// 0x9: a ping.
    public static let ping = WebSocketOpcode(rawValue: 0x9)
    /// 0xA: a pong.
    public static let pong = WebSocketOpcode(rawValue: 0xA)

    /// Whether this is a control frame (close, ping, pong and reserved 0xB–0xF).
    public var isControl: Bool { rawValue & 0x8 != 0 }

    /// Whether RFC 6455 defines this opcode (the others are reserved and fail the connection).
    public var isDefined: Bool {
        switch rawValue {
        case 0x0, 0x1, 0x2, 0x8, 0x9, 0xA: true
        default: false
        }
    }

    public var description: String {
        switch rawValue {
        case 0x0: "continuation"
        case 0x1: "text"
        case 0x2: "binary"
        case 0x8: "close"
        case 0x9: "ping"
        case 0xA: "pong"
        default: "reserved(\(rawValue))"
        }
    }
}

/// Which end of a connection this codec plays: it decides the masking rules.
public enum WebSocketRole: Sendable {
    /// Receives masked frames, sends unmasked ones.
    case server
    /// Receives unmasked frames, sends masked ones.
    case client
}

/// The kind of a complete data message.
public enum WebSocketMessageKind: Sendable, Equatable {
    /// UTF-8 text (validated before delivery).
    case text
    /// Binary data.
    case binary

    /// The opcode of the message's first frame.
    public var opcode: WebSocketOpcode { self == .text ? .text : .binary }
}
