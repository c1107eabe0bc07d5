/// What the sans-I/O client core asks its transport to do, in order.
public enum ClientAction: Equatable, Sendable {
    /// Send one protocol message (a binary WebSocket message).
    case send([UInt8])
    /// Open a connection (the first one, or a reconnect once its backoff has passed).
    case connect
    /// Close the connection for good (the client failed or was closed).
    case close
}
