import Testing
@testable import LockstepBench

/// The timer benchmark reads its lateness percentiles from the shared histogram.
@Suite struct TimerBenchmarkTests {
    @Test func aShortRunCountsItsFiringsAndReportsOrderedPercentiles() throws {
        var options = TimerBenchmark.Options()
        options.timers = 8
        options.hertz = 200
        options.duration = .milliseconds(200)
        let report = try TimerBenchmark(options: options).run()
        #expect(report.firings > 0)
        #expect(report.p50 <= report.p99 && report.p99 <= report.p999 && report.p999 <= report.max)
    }
}
