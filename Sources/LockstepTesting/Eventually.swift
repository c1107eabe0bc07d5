import LockstepEventLoop

#if canImport(Glibc)
import Glibc
#endif

/// Polls `condition` until it holds or `timeoutSeconds` pass, and says whether it held: how
/// tests wait for something a server does, with a bound instead of a sleep.
public func eventually(_ timeoutSeconds: Double, _ condition: () throws -> Bool) rethrows -> Bool {
    try Eventually.wait(timeout: timeoutSeconds, condition)
}

/// Waits for a condition with a deadline instead of sleeping a fixed time: tests poll what they
/// claim (a status, a metric, a file) and never hang.
public enum Eventually {
    /// Polls `condition` every millisecond until it holds or `timeout` seconds have passed.
    ///
    /// - Returns: whether the condition held before the deadline.
    public static func wait(timeout: Double = 10, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = MonotonicInstant.now().nanoseconds + UInt64(timeout * 1e9)
        while true {
            if try condition() { return true }
            if MonotonicInstant.now().nanoseconds >= deadline { return false }
            usleep(1000)
        }
    }
}
