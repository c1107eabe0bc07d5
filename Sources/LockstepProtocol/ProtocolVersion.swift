/// The version of the Lockstep wire protocol and its WebSocket subprotocol name.
public enum ProtocolVersion {
    /// The protocol version this code speaks, sent in HELLO and WELCOME.
    public static let current: UInt16 = 1
    /// The WebSocket subprotocol (`Sec-WebSocket-Protocol`) a client offers.
    public static let subprotocol = "lockstep.v1"
    /// The WebSocket path of the game endpoint.
    public static let path = "/v1/play"
}

/// The first byte of every message. Client messages are below 0x80, server messages at or above.
public enum MessageType: UInt8, Sendable, CaseIterable {
    // Client to server.
    case hello = 0x01
    case input = 0x02
    case stateHash = 0x03
    case ping = 0x04
    case leave = 0x05
    case matchOver = 0x06
    case inputDelay = 0x07
    // Server to client.
    case welcome = 0x81
    case frame = 0x82
    case frameBatch = 0x83
    case pong = 0x84
    case event = 0x85
    case error = 0x86
    case schedule = 0x87
}
