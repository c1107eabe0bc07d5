import Testing

@testable import LockstepBench

/// The soak's verdict from synthetic samples: a flat run passes; a leak of memory or descriptors,
/// a drifting p99, an idle interval or too few samples fail, each on its own check.
@Suite struct SoakVerdictTests {
    /// Samples every 10 s for 120 s (warm-up: the first 30 s), flat unless `shape` changes them.
    func samples(_ shape: (inout SoakSample, Int) -> Void = { _, _ in }) -> [SoakSample] {
        (1...12).map { index in
            var sample = SoakSample(seconds: Double(index * 10))
            sample.rssBytes = 40 << 20 + UInt64(index % 3) * (256 << 10)  // 40 MiB, wobbling by 0.5 MiB
            sample.openDescriptors = 640 + index % 4
            sample.frames = 100_000
            sample.tickLatencyP99Micros = 400 + Double(index % 2) * 60
            shape(&sample, index)
            return sample
        }
    }

    func judge(_ samples: [SoakSample]) -> SoakVerdict {
        SoakVerdict.judge(samples: samples, warmupSeconds: 30, expectedConnections: 625, thresholds: SoakThresholds())
    }

    func check(_ verdict: SoakVerdict, _ name: String) -> SoakVerdict.Check? {
        verdict.checks.first { $0.name == name }
    }

    @Test func aFlatRunPasses() {
        let verdict = judge(samples())
        #expect(verdict.passed)
        #expect(verdict.checks.map(\.name) == ["samples", "load", "rss", "descriptors", "p99-drift"])
    }

    @Test func memoryThatKeepsGrowingFailsTheRSSBand() {
        // 2 MiB more every sample: warm-up median 38 MiB, 58 MiB at the end (limit 38 × 1.2 + 8 ≈ 53.6).
        let verdict = judge(
            samples { sample, index in
                let mebibytes = UInt64(40 + 2 * (index - 3))
                sample.rssBytes = mebibytes * 1_048_576
            })
        #expect(!verdict.passed)
        #expect(check(verdict, "rss")?.passed == false)
        #expect(check(verdict, "descriptors")?.passed == true && check(verdict, "p99-drift")?.passed == true)
    }

    @Test func aStepInsideTheRSSBandPasses() {
        // One-off growth of 12 MiB (a pool filling once): under 40 × 1.2 + 8.
        #expect(judge(samples { sample, index in if index > 6 { sample.rssBytes = 52 << 20 } }).passed)
    }

    @Test func leakedDescriptorsFailTheDescriptorBand() {
        // 10 more every sample: the band is the warm-up median ± max(32, 625 / 10 = 63).
        let verdict = judge(samples { sample, index in sample.openDescriptors = 640 + index * 10 })
        #expect(check(verdict, "descriptors")?.passed == false)
        #expect(!verdict.passed)
    }

    @Test func descriptorsThatCollapseFailToo() {
        let verdict = judge(samples { sample, index in if index > 8 { sample.openDescriptors = 20 } })
        #expect(check(verdict, "descriptors")?.passed == false)
    }

    @Test func aP99ThatDriftsUpFails() {
        // 400 µs early, 1.2 ms late: over 400 × 1.5 + 200.
        let verdict = judge(samples { sample, index in sample.tickLatencyP99Micros = index > 9 ? 1200 : 400 })
        #expect(check(verdict, "p99-drift")?.passed == false)
        #expect(!verdict.passed)
        #expect(check(verdict, "rss")?.passed == true)
    }

    @Test func aDriftThatIsNotJudgedIsReportedOnly() {
        var thresholds = SoakThresholds()
        thresholds.judgesP99Drift = false
        let drifting = samples { sample, index in sample.tickLatencyP99Micros = index > 9 ? 1200 : 400 }
        let verdict = SoakVerdict.judge(
            samples: drifting, warmupSeconds: 30, expectedConnections: 625, thresholds: thresholds)
        #expect(verdict.passed)
        #expect(check(verdict, "p99-drift")?.detail.hasPrefix("not judged") == true)
    }

    @Test func oneSlowIntervalInTheLastThirdIsNotADrift() {
        // The median of the last third ignores a single bad interval (a neighbour's build).
        #expect(judge(samples { sample, index in if index == 11 { sample.tickLatencyP99Micros = 5000 } }).passed)
    }

    @Test func anIntervalWithoutFramesFailsTheLoadCheck() {
        let verdict = judge(samples { sample, index in if index == 7 { sample.frames = 0 } })
        #expect(check(verdict, "load")?.passed == false)
    }

    @Test func tooFewSamplesAfterTheWarmUpFail() {
        let verdict = SoakVerdict.judge(
            samples: Array(samples().prefix(5)), warmupSeconds: 30, expectedConnections: 625,
            thresholds: SoakThresholds())
        #expect(!verdict.passed)
        #expect(verdict.checks.map(\.name) == ["samples"])
    }

    @Test func withoutTheServersPidMemoryAndDescriptorsAreNotJudged() {
        let verdict = judge(
            samples { sample, _ in
                sample.rssBytes = nil
                sample.openDescriptors = nil
            })
        #expect(verdict.passed)
        #expect(check(verdict, "rss")?.detail.hasPrefix("not judged") == true)
    }

    @Test func theMedianOfAnEvenCountIsTheMeanOfTheMiddleTwo() {
        #expect(SoakVerdict.median([4, 1, 3, 2]) == 2.5)
        #expect(SoakVerdict.median([5, 1, 3]) == 3)
        #expect(SoakVerdict.median([]) == nil)
    }
}
