import LockstepEventLoop

#if canImport(Glibc)
import Glibc
#endif

/// Polls `condition` every few milliseconds until it holds or `timeoutSeconds` pass, and says
/// whether it held: how tests wait for something a server does, with a bound instead of a sleep.
public func eventually(_ timeoutSeconds: Double, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = MonotonicInstant.now().nanoseconds &+ UInt64(timeoutSeconds * 1e9)
    while MonotonicInstant.now().nanoseconds < deadline {
        if try condition() { return true }
        usleep(5000)
    }
    return try condition()
}
