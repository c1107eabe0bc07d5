import LockstepCore
import LockstepEventLoop
import LockstepRoom
import Synchronization

/// The battle server's counters and histograms, updated from any loop without locks (atomics).
final class BattleMetrics: Sendable {
    let authFailures = Atomic<UInt64>(0)
    let roomsCreated = Atomic<UInt64>(0)
    let rateLimited = Atomic<UInt64>(0)
    /// Replays that could not be created or stopped being written (a full disk).
    let replayFailures = Atomic<UInt64>(0)
    /// Timer lateness at tick firings, in nanoseconds (recorded from every loop).
    let timerLateness = AtomicLatencyHistogram()
    /// Work per tick firing (confirm, encode, queue), in nanoseconds (recorded from every loop).
    let tickWork = AtomicLatencyHistogram()
    /// The Prometheus `le` bounds of `timerLateness`, in microseconds.
    static let timerLatenessBoundsMicros: [UInt64] = [10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 50_000]
    /// The Prometheus `le` bounds of `tickWork`, in microseconds.
    static let tickWorkBoundsMicros: [UInt64] = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 5000]

    func recordTimerLateness(_ nanos: UInt64) { timerLateness.record(nanos) }
    func recordTickWork(_ nanos: Int64) { tickWork.record(UInt64(max(0, nanos))) }
}
