import LockstepCore

/// Counters of one event loop, written only by its thread and readable from any thread.
///
/// Relaxed atomics with a single writer, which writes them with plain loads and stores
/// (`addAsSoleWriter`): no contention and no locked instruction on the hot path.
public final class LoopMetrics: Sendable {
    /// The `le` bounds, in microseconds, of the timer-lateness histogram as Prometheus shows it (a
    /// last +Inf bucket follows).
    public static let latenessBucketsMicroseconds: [UInt64] = [10, 50, 100, 250, 500, 1000, 2500, 5000, 10000]

    /// Loop iterations (one `epoll_wait` each).
    public let iterations = AtomicCounter()
    /// Timer handlers run.
    public let timerFirings = AtomicCounter()
    /// How late timers fired after their deadline, in nanoseconds (count, sum, maximum, percentiles).
    public let timerLateness = AtomicLatencyHistogram()

    init() {}

    func recordTimer(latenessNanoseconds: UInt64) {
        timerFirings.addAsSoleWriter()
        timerLateness.recordAsSoleWriter(latenessNanoseconds)
    }
}
