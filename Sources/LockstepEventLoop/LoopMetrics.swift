/// Counters of one event loop, written only by its thread and readable from any thread.
///
/// Relaxed atomics with a single writer: no contention and no lock on the hot path.
public final class LoopMetrics: Sendable {
    /// Upper bounds of the timer-lateness histogram buckets, in microseconds (a last +Inf bucket follows).
    public static let latenessBucketsMicroseconds: [UInt64] = [10, 50, 100, 250, 500, 1000, 2500, 5000, 10000]

    /// Loop iterations (one `epoll_wait` each).
    public let iterations = AtomicCounter()
    /// Timer handlers run.
    public let timerFirings = AtomicCounter()
    /// Sum of timer lateness in nanoseconds.
    public let timerLatenessSumNanoseconds = AtomicCounter()
    /// Largest timer lateness seen, in nanoseconds.
    public let timerLatenessMaxNanoseconds = AtomicCounter()
    /// Non-cumulative bucket counts; the last index is the +Inf bucket.
    public let timerLatenessBuckets: [AtomicCounter]

    init() {
        timerLatenessBuckets = (0...Self.latenessBucketsMicroseconds.count).map { _ in AtomicCounter() }
    }

    func recordTimer(latenessNanoseconds: UInt64) {
        timerFirings.add()
        timerLatenessSumNanoseconds.add(latenessNanoseconds)
        timerLatenessMaxNanoseconds.raise(to: latenessNanoseconds)
        let micros = latenessNanoseconds / 1000
        var bucket = Self.latenessBucketsMicroseconds.count
        for (index, bound) in Self.latenessBucketsMicroseconds.enumerated() where micros <= bound {
            bucket = index
            break
        }
        timerLatenessBuckets[bucket].add()
    }
}
