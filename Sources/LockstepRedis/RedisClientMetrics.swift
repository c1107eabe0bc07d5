import Synchronization

/// What a `RedisClient` counts: thread-safe atomics, read by `/metrics` scrapes on any thread.
public final class RedisClientMetrics: Sendable {
    /// 1 while a connection is open, else 0.
    public let connected = Atomic<Int>(0)
    /// Connections opened (the first and every reconnect).
    public let connects = Atomic<Int>(0)
    /// Connection attempts that failed.
    public let connectFailures = Atomic<Int>(0)
    /// Open connections lost to an I/O error, a timeout or invalid RESP.
    public let connectionFailures = Atomic<Int>(0)
    /// Jobs failed at once because no connection was open (waiting for the backoff).
    public let refusedWhileDown = Atomic<Int>(0)
    /// Jobs run.
    public let jobs = Atomic<Int>(0)

    public init() {}
}
