import LockstepCore
import LockstepEventLoop
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The scheduling floor of this machine: the server's timing loop with no network work. One
/// timer per room on event loops like the server's, staggered over the tick period by the same
/// golden-ratio sequence, each re-armed at its next deadline; it records how late each one fires.
/// When the bench's p99 is no worse than this, the tail is the machine's (CPU pauses, wake-ups),
/// not the server's.
public enum TimerFloor {
    /// Runs `rooms` staggered timers at `tickRate` on `loops` loops for `seconds`, after a second
    /// of warm-up, and returns the lateness of every firing (nanoseconds).
    ///
    /// - Throws: `SystemError` when the loops cannot start.
    public static func measure(rooms: Int, tickRate: Int, loops: Int, seconds: Double) throws(SystemError) -> LatencyHistogram {
        let group = try EventLoopGroup(count: loops)
        defer { group.shutdown() }
        let period = UInt64(1_000_000_000 / max(1, tickRate))
        let start = MonotonicInstant.now().nanoseconds + 1_000_000_000
        let end = start + UInt64(seconds * 1e9)
        let results = Mutex<[LatencyHistogram]>([])
        let finished = Atomic<Int>(0)
        for (index, loop) in group.loops.enumerated() {
            loop.execute {
                let histogram = HistogramBox()
                var room = index
                while room < rooms {
                    // The server's stagger: the golden-ratio sequence over the period.
                    let phase = UInt64((Double(room) * 0.618_033_988_749_895).truncatingRemainder(dividingBy: 1) * Double(period))
                    let first = (MonotonicInstant.now().nanoseconds / period + 1) * period + phase
                    arm(loop: loop, deadline: first, period: period, window: start..<end, histogram: histogram)
                    room += group.loops.count
                }
                loop.scheduleTimer(at: MonotonicInstant(nanoseconds: end + 50_000_000)) { _ in
                    results.withLock { $0.append(histogram.value) }
                    finished.add(1, ordering: .releasing)
                }
            }
        }
        while finished.load(ordering: .acquiring) < group.loops.count
            && MonotonicInstant.now().nanoseconds < end + 5_000_000_000
        {
            usleep(20_000)
        }
        var merged = LatencyHistogram()
        for histogram in results.withLock({ $0 }) { merged.merge(histogram) }
        return merged
    }

    /// Fires at `deadline`, records the lateness inside `window`, and re-arms one period later
    /// (as `RoomDriver` re-arms its room's timer every tick).
    private static func arm(loop: EventLoop, deadline: UInt64, period: UInt64, window: Range<UInt64>, histogram: HistogramBox) {
        guard deadline < window.upperBound else { return }
        loop.scheduleTimer(at: MonotonicInstant(nanoseconds: deadline)) { firing in
            if window.contains(deadline) { histogram.value.record(firing.latenessNanoseconds) }
            arm(loop: loop, deadline: deadline + period, period: period, window: window, histogram: histogram)
        }
    }
}

/// A histogram shared by the timers of one loop: written only on that loop's thread (hence
/// `@unchecked Sendable`), read after the loop was joined.
private final class HistogramBox: @unchecked Sendable {
    var value = LatencyHistogram()
}
