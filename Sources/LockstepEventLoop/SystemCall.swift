#if canImport(Glibc)
import Glibc
#endif

/// The one place raw system calls are made from: retries `EINTR`, turns `EAGAIN` into
/// `.wouldBlock`, and throws `SystemError` for every other failure.
enum SystemCall {
    /// Runs `body` (a call returning -1 on failure) with the rules above.
    @inline(__always)
    static func run<Value: FixedWidthInteger & Sendable>(
        _ function: StaticString, _ body: () -> Value
    ) throws(SystemError) -> IOResult<Value> {
        while true {
            let result = body()
            if result >= 0 { return .processed(result) }
            let error = Glibc.errno
            switch error {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return .wouldBlock
            default: throw SystemError(function.description, errno: error)
            }
        }
    }

    /// Like `run`, for calls that never legitimately return `EAGAIN` (setup calls).
    @inline(__always)
    static func checked<Value: FixedWidthInteger & Sendable>(
        _ function: StaticString, _ body: () -> Value
    ) throws(SystemError) -> Value {
        switch try run(function, body) {
        case .processed(let value): return value
        case .wouldBlock: throw SystemError(function.description, errno: EAGAIN)
        }
    }

    /// Closes `fd`, ignoring errors: after `close` the descriptor is gone whatever it returns (no EINTR retry on Linux).
    static func close(_ fd: Int32) {
        _ = Glibc.close(fd)
    }
}
