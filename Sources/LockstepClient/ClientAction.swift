/// What the sans-I/O client core asks its transport to do, in order.
public enum ClientAction: Equatable, Sendable {
    /// Send one protocol message (a binary WebSocket message).
    case send([UInt8])
    /// Open a connection (the first one, or a reconnect once its backoff has passed) and send
    /// `hello` (the HELLO, with the last confirmed tick on a reconnect) the moment it opens: the
    /// server expects it at once, whether or not the client is being polled then.
    case connect(hello: [UInt8])
    /// Connect to `url`'s node from now on (a cluster said the room is there: error 16); a
    /// `.connect` follows at once.
    case redirect(PlayURL)
    /// Close the connection for good (the client failed or was closed).
    case close
}
