#if canImport(Glibc)
import Glibc
#endif

/// A failed system call: which call and the `errno` it left.
public struct SystemError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The system call's name, for example `accept4`.
    public var function: String
    /// The `errno` value.
    public var errno: Int32

    /// Creates an error for `function` with `errno`.
    public init(_ function: String, errno: Int32) {
        self.function = function
        self.errno = errno
    }

    public var description: String {
        let message = strerror(errno).map { String(cString: $0) } ?? "errno \(errno)"
        return "\(function): \(message) (errno \(errno))"
    }
}

/// The outcome of a non-blocking system call: a value, or "try again later".
public enum IOResult<Value: Sendable>: Sendable {
    /// The call completed with this value.
    case processed(Value)
    /// The call would block (`EAGAIN`/`EWOULDBLOCK`): wait for readiness.
    case wouldBlock
}
