import LockstepCore
import LockstepEventLoop

#if canImport(Glibc)
import Glibc
#endif

/// Measures how late repeating loop timers fire: many tick schedules per loop, phases staggered
/// across the period as rooms will be. Not a test: a tool that prints figures.
public struct TimerBenchmark: Sendable {
    /// What to run.
    public struct Options: Sendable {
        /// Repeating timers in total, spread over the loops.
        public var timers = 1000
        /// Firings per second of each timer.
        public var hertz = 60
        /// Seconds measured.
        public var duration: Duration = .seconds(5)
        /// Event loops.
        public var loops = 1

        /// 1,000 timers at 60 Hz for 5 s on one loop.
        public init() {}
    }

    /// The figures measured.
    public struct Report: Sendable, CustomStringConvertible {
        /// Handler runs.
        public var firings: Int
        /// Intervals skipped because a firing was later than a whole period.
        public var missed: Int
        /// Lateness percentiles in microseconds.
        public var p50: UInt64, p99: UInt64, p999: UInt64, max: UInt64

        public var description: String {
            "firings=\(firings) missed_intervals=\(missed) lateness_p50_us=\(p50) lateness_p99_us=\(p99) "
                + "lateness_p999_us=\(p999) lateness_max_us=\(max)"
        }
    }

    /// The options this benchmark runs with.
    public var options: Options

    /// Creates a benchmark.
    public init(options: Options) {
        self.options = options
    }

    /// Runs the timers for the duration and reports their lateness.
    ///
    /// - Throws: `SystemError` when the loops cannot start.
    public func run() throws(SystemError) -> Report {
        let group = try EventLoopGroup(count: options.loops)
        let period = Duration.nanoseconds(1_000_000_000 / Int64(Swift.max(1, options.hertz)))
        let samples = group.loops.map { _ in LatenessRecorder() }
        let start = MonotonicInstant.now() + .milliseconds(100)
        let end = start + options.duration
        let timers = options.timers
        for (loopIndex, loop) in group.loops.enumerated() {
            let recorder = samples[loopIndex]
            loop.execute {
                for index in stride(from: loopIndex, to: timers, by: group.loops.count) {
                    // Stagger the phases across the period, as rooms on one loop will be.
                    let phase = Duration.nanoseconds(period.nanosecondsClamped * Int64(index) / Int64(timers))
                    loop.scheduleRepeatingTimer(first: start + phase, interval: period) { firing in
                        guard firing.deadline < end else {
                            loop.cancelTimer(firing.handle)
                            return
                        }
                        recorder.lateness.record(firing.latenessNanoseconds / 1000)
                        recorder.missed += firing.missedIntervals
                    }
                }
            }
        }
        while MonotonicInstant.now() < end + .milliseconds(200) { usleep(50_000) }
        // Joining the loop threads orders their writes before these reads.
        group.shutdown()
        var lateness = LatencyHistogram()
        var missed = 0
        for recorder in samples {
            lateness.merge(recorder.lateness)
            missed += recorder.missed
        }
        return Report(
            firings: Int(lateness.count), missed: missed, p50: lateness.value(atQuantile: 0.5),
            p99: lateness.value(atQuantile: 0.99), p999: lateness.value(atQuantile: 0.999), max: lateness.max)
    }
}

/// One loop's timer lateness in microseconds, written on that loop's thread (its timers) and read
/// by the runner after the loop was joined (hence `@unchecked Sendable`; the join orders the two).
final class LatenessRecorder: @unchecked Sendable {
    var lateness = LatencyHistogram()
    var missed = 0
}
