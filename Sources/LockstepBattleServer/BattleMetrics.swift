import LockstepCore
import LockstepEventLoop
import LockstepRoom
import Synchronization

/// The battle server's counters and histograms, updated from any loop without locks (atomics).
final class BattleMetrics: Sendable {
    /// One loop's tick histograms: only that loop records into them, as their sole writer
    /// (`AtomicLatencyHistogram.recordAsSoleWriter`: no locked instruction on every tick).
    final class LoopTicks: Sendable {
        /// Timer lateness at tick firings, in nanoseconds.
        let lateness = AtomicLatencyHistogram()
        /// Work per tick firing (confirm, encode, queue), in nanoseconds.
        let work = AtomicLatencyHistogram()

        func recordLateness(_ nanos: UInt64) { lateness.recordAsSoleWriter(nanos) }
        func recordWork(_ nanos: Int64) { work.recordAsSoleWriter(UInt64(max(0, nanos))) }
    }

    let authFailures = Atomic<UInt64>(0)
    let roomsCreated = Atomic<UInt64>(0)
    let rateLimited = Atomic<UInt64>(0)
    /// Replays that could not be created or stopped being written (a full disk).
    let replayFailures = Atomic<UInt64>(0)
    /// Each loop's tick histograms, by loop index (made when the loop's first room is).
    private let loopTicks = Mutex<[Int: LoopTicks]>([:])
    /// The Prometheus `le` bounds of `timerLateness`, in microseconds.
    static let timerLatenessBoundsMicros: [UInt64] = [10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 50_000]
    /// The Prometheus `le` bounds of `tickWork`, in microseconds.
    static let tickWorkBoundsMicros: [UInt64] = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 5000]

    /// The tick histograms of the loop at `index`, for its rooms' drivers to record into.
    func ticks(forLoop index: Int) -> LoopTicks {
        loopTicks.withLock { byLoop in
            if let ticks = byLoop[index] { return ticks }
            let ticks = LoopTicks()
            byLoop[index] = ticks
            return ticks
        }
    }

    /// Timer lateness at tick firings, in nanoseconds, over every loop.
    var timerLateness: LatencyHistogram { merged { $0.lateness } }
    /// Work per tick firing, in nanoseconds, over every loop.
    var tickWork: LatencyHistogram { merged { $0.work } }

    private func merged(_ histogram: (LoopTicks) -> AtomicLatencyHistogram) -> LatencyHistogram {
        let loops = loopTicks.withLock { byLoop in byLoop.keys.sorted().compactMap { byLoop[$0] } }
        var total = LatencyHistogram()
        for ticks in loops { total.merge(histogram(ticks).snapshot()) }
        return total
    }
}
