import LockstepCore
import Testing
@testable import LockstepBattleServer

/// The tick histograms are kept per loop (each recorded by its loop alone) and exported merged.
@Suite struct BattleMetricsTests {
    @Test func eachLoopGetsOneHistogramPairAndTheExportMergesThemAll() {
        let metrics = BattleMetrics()
        #expect(metrics.ticks(forLoop: 0) === metrics.ticks(forLoop: 0))
        #expect(metrics.ticks(forLoop: 0) !== metrics.ticks(forLoop: 1))
        var random = SeededRandom(seed: 3)
        var lateness = LatencyHistogram()
        var work = LatencyHistogram()
        for _ in 0..<3_000 {
            let loop = Int(random.next(below: 3))
            let late = random.next(below: 5_000_000)
            let busy = Int64(random.next(below: 400_000)) - 1_000  // a negative duration counts as 0
            metrics.ticks(forLoop: loop).recordLateness(late)
            metrics.ticks(forLoop: loop).recordWork(busy)
            lateness.record(late)
            work.record(UInt64(max(0, busy)))
        }
        #expect(metrics.timerLateness == lateness)
        #expect(metrics.tickWork == work)
        #expect(BattleMetrics().timerLateness == LatencyHistogram())
    }
}
