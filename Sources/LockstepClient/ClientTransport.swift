/// How a `LockstepClient` reaches the server: one WebSocket connection at a time, opened and
/// closed when the core asks, with what arrived kept for the client to take.
///
/// Transports are thread-safe: the client calls them from the thread that polls it, and they do
/// their I/O on their own thread (an event loop, or a `poll(2)` thread). `setWakeHandler` lets an
/// event-driven consumer (the async style) learn that something arrived or a wake-up time came.
public protocol ClientTransport: AnyObject, Sendable {
    /// Opens a connection to the server (asynchronously: `.opened` or `.closed` follows) and
    /// sends `hello` as its first message as soon as it opens.
    func open(hello: [UInt8])
    /// Sends one binary message on the open connection (dropped when none is open).
    func send(_ message: [UInt8])
    /// Drops the current connection abruptly, as a network failure would (`.closed` follows).
    func drop()
    /// Closes for good: no event follows, nothing is sent any more.
    func close()
    /// Takes what arrived and may be processed at `now` (client monotonic ns), in order.
    func take(upTo now: UInt64) -> [TransportEvent]
    /// Calls `handler` (on the transport's thread) whenever something arrives, and at the time set
    /// with `wake(at:)`.
    func setWakeHandler(_ handler: (@Sendable () -> Void)?)
    /// Asks for one call of the wake handler at `instant` (client monotonic ns); replaces the last.
    func wake(at instant: UInt64)
    /// Sends the player's inputs at their time from `pacer` on the transport's own thread, whatever
    /// the game loop does (optional: a transport that does not pace leaves them to the client's polls).
    func pace(_ pacer: InputPacer)
    /// Opens the next connections to `url`'s host, port and room instead of the configured ones
    /// (a cluster's wrong-node error named the node that owns the room).
    func redirect(to url: PlayURL)
}

extension ClientTransport {
    /// Does not pace: inputs go out when the client is polled.
    public func pace(_ pacer: InputPacer) {}

    /// Does not follow redirects: the next connection goes to the configured server again.
    public func redirect(to url: PlayURL) {}
}
