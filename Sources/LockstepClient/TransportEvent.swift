/// What a transport reports to the client core.
public enum TransportEvent: Equatable, Sendable {
    /// A connection opened (the WebSocket handshake completed).
    case opened
    /// One binary message arrived.
    case received([UInt8])
    /// The connection closed, with the WebSocket close code (1006 when it failed or never opened).
    case closed(code: UInt16)
}
