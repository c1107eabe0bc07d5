#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The client's monotonic clock (`CLOCK_MONOTONIC`, the server's clock on the same machine), in ns.
public enum ClientClock {
    /// Nanoseconds since an arbitrary fixed point; never goes back.
    public static func now() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) &* 1_000_000_000 &+ UInt64(spec.tv_nsec)
    }
}
