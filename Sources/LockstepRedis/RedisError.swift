/// Why a Redis command did not get an answer. The server's own error replies (`-ERR …`) are not
/// errors here: they come back as `RESPValue.error` for the caller to read.
public enum RedisError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Not connected: the last attempt failed and the next one waits for its backoff.
    case unavailable(String)
    /// Connecting failed (refused, unreachable, timed out).
    case connectFailed(String)
    /// The connection broke or timed out during a command (it is closed and re-opened later).
    case io(String)
    /// The server sent bytes that are not RESP2.
    case protocolViolation(String)
    /// The client was stopped.
    case stopped

    public var description: String {
        switch self {
        case .unavailable(let why): "Redis unavailable: \(why)"
        case .connectFailed(let why): "cannot connect to Redis: \(why)"
        case .io(let why): "Redis connection failed: \(why)"
        case .protocolViolation(let why): "Redis sent invalid RESP: \(why)"
        case .stopped: "the Redis client is stopped"
        }
    }

    /// A short label for metrics and logs.
    public var kind: String {
        switch self {
        case .unavailable: "unavailable"
        case .connectFailed: "connect"
        case .io: "io"
        case .protocolViolation: "protocol"
        case .stopped: "stopped"
        }
    }
}
