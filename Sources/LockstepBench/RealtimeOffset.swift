import LockstepEventLoop

#if canImport(Glibc)
import Glibc
#endif

/// `CLOCK_REALTIME − CLOCK_MONOTONIC` on this host, to put the kernel's receive timestamps
/// (`SO_TIMESTAMPNS` gives real time) on the monotonic clock the tick deadlines use.
///
/// Both clocks advance at the same (NTP-slewed) rate, so their difference only changes when
/// real time is stepped; the bench samples it again every second. Each sample reads real time
/// between two monotonic reads and keeps the pair closest together, so the error is at most
/// half that gap (well under a microsecond here).
struct RealtimeOffset {
    /// Real time − monotonic time, nanoseconds.
    private(set) var nanoseconds: Int64 = 0

    /// A fresh estimate.
    init() {
        refresh()
    }

    /// Samples the two clocks again (5 tries, the tightest wins).
    mutating func refresh() {
        var best = UInt64.max
        for _ in 0..<5 {
            let before = MonotonicInstant.now().nanoseconds
            var spec = timespec()
            clock_gettime(CLOCK_REALTIME, &spec)
            let after = MonotonicInstant.now().nanoseconds
            let gap = after &- before
            guard gap < best else { continue }
            best = gap
            let real = Int64(spec.tv_sec) &* 1_000_000_000 &+ Int64(spec.tv_nsec)
            nanoseconds = real &- Int64(bitPattern: before &+ gap / 2)
        }
    }

    /// `realtime` (ns) on the monotonic clock.
    @inline(__always)
    func monotonic(fromRealtime realtime: UInt64) -> UInt64 {
        UInt64(max(0, Int64(bitPattern: realtime) &- nanoseconds))
    }
}
