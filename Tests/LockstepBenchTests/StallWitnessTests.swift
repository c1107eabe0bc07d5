#if canImport(Glibc)
import Glibc
#endif
import LockstepCore
import LockstepTesting
import Testing
@testable import LockstepBench

@Suite struct StallWitnessTests {
    /// Random stalls on `cpus` CPUs within [0, 10,000) µs, each CPU's stalls disjoint and ordered,
    /// as a witness reports them (in nanoseconds).
    static func randomStalls(cpus: Int, seed: UInt64) -> [StallWitness.Stall] {
        var random = SplitMix64(state: seed)
        var stalls: [StallWitness.Stall] = []
        for cpu in 0..<cpus {
            var time: UInt64 = random.next() % 200
            while true {
                time += 1 + random.next() % 400
                let length = 1 + random.next() % 300
                guard time + length < 10_000 else { break }
                stalls.append(.init(cpu: cpu, start: time * 1000, end: (time + length) * 1000))
                time += length
            }
        }
        return stalls
    }

    /// Which microseconds [t, t+1) lie inside `intervals` (closed ranges in ns, on µs boundaries).
    static func covered(_ intervals: [ClosedRange<UInt64>]) -> [Bool] {
        var bitmap = [Bool](repeating: false, count: 10_000)
        for interval in intervals {
            for micro in Int(interval.lowerBound / 1000)..<Int(interval.upperBound / 1000) { bitmap[micro] = true }
        }
        return bitmap
    }

    /// The machine paused where every CPU's witness was late at once: checked against a bitmap
    /// intersection over seeded random stalls on one, two and three CPUs.
    @Test(arguments: [1, 2, 3])
    func machineStallsAreTheIntervalsWhereEveryCPUWasLate(cpus: Int) {
        for seed in UInt64(1)...20 {
            let stalls = Self.randomStalls(cpus: cpus, seed: seed &* 7919 &+ UInt64(cpus))
            let machine = StallWitness.machineStalls(stalls, cpuCount: cpus)
            var expected = [Bool](repeating: true, count: 10_000)
            for cpu in 0..<cpus {
                let mine = Self.covered(stalls.filter { $0.cpu == cpu }.map { $0.start...$0.end })
                for micro in expected.indices { expected[micro] = expected[micro] && mine[micro] }
            }
            #expect(Self.covered(machine) == expected, "seed \(seed)")
            #expect(zip(machine, machine.dropFirst()).allSatisfy { $0.upperBound <= $1.lowerBound })
            // Any CPU: the union.
            var union = [Bool](repeating: false, count: 10_000)
            let any = StallWitness.anyStalls(stalls)
            for cpu in 0..<cpus {
                let mine = Self.covered(stalls.filter { $0.cpu == cpu }.map { $0.start...$0.end })
                for micro in union.indices { union[micro] = union[micro] || mine[micro] }
            }
            #expect(Self.covered(any) == union, "seed \(seed)")
        }
    }

    /// `crosses` (a binary search) agrees with checking every interval.
    @Test func crossesAgreesWithALinearScan() {
        var random = SplitMix64(state: 99)
        let intervals = StallWitness.anyStalls(Self.randomStalls(cpus: 2, seed: 5))
        for _ in 0..<2000 {
            let from = random.next() % 10_500_000
            let to = from + random.next() % 800_000
            let linear = intervals.contains { $0.lowerBound <= to && $0.upperBound >= from }
            #expect(StallWitness.crosses(intervals, from: from, to: to) == linear)
        }
        #expect(!StallWitness.crosses([], from: 0, to: .max))
    }

    /// Only slow frames whose deadline-to-arrival crosses a pause of every CPU leave the
    /// "outside stalls" latency; fast frames all stay.
    @Test func framesCrossingAMachinePauseAreTakenOutOfTheOutsideLatency() throws {
        var measurements = LoopMeasurements(seconds: 2)
        let start: UInt64 = 1_000_000_000
        for index in 0..<1000 { measurements.recordLatency(100_000, deadline: start + UInt64(index) * 1_000_000, arrival: start + UInt64(index) * 1_000_000 + 100_000) }
        // Two slow frames: one across the pause at 1.5 s, one at 1.8 s when only CPU 0 stalled.
        measurements.recordLatency(3_000_000, deadline: start + 499_000_000, arrival: start + 502_000_000)
        measurements.recordLatency(2_000_000, deadline: start + 799_000_000, arrival: start + 801_000_000)
        let stalls: [StallWitness.Stall] = [
            .init(cpu: 0, start: start + 500_000_000, end: start + 501_500_000),
            .init(cpu: 1, start: start + 500_200_000, end: start + 501_000_000),
            .init(cpu: 0, start: start + 799_500_000, end: start + 800_500_000),
        ]
        let result = BenchRunner.machineStalls(
            cpuCount: 2, realtime: true, stalls: stalls, merged: measurements, windowStart: start, seconds: 2)
        #expect(result.count == 1 && result.stallsPerCPU == [2, 1])
        #expect(abs(result.longestMillis - 0.8) < 1e-9 && result.longestBySecond[0] == 800)
        #expect(result.slowFrames == 2 && result.framesDelayedByStalls == 1 && result.framesDelayedByAnyCPUStall == 2)
        let outside = try #require(result.latencyOutsideStalls)
        #expect(outside.count == 1001 && outside.max == 2000)
        #expect(result.latencyOutsideAnyCPUStall?.count == 1000)
    }

    /// A real witness starts a thread per CPU that keeps waking, and stops when asked: every
    /// witness's wake count grows, and `stop()` returns (it joins every witness thread).
    @Test func aWitnessWatchesEveryCPUAndStops() {
        let witness = StallWitness()
        #expect(witness.cpuCount >= 1)
        #expect(Eventually.wait { (0..<witness.cpuCount).allSatisfy { witness.wakeCount(cpu: $0) >= 10 } })
        // `stop()` joins every witness thread: it returns only once they have all stopped.
        let stalls = witness.stop()
        let afterStop = (0..<witness.cpuCount).map { witness.wakeCount(cpu: $0) }
        #expect(afterStop.allSatisfy { $0 >= 10 })
        // Whatever stalls were seen (there may be none) are well formed.
        #expect(stalls.allSatisfy { $0.cpu < witness.cpuCount && $0.end - $0.start >= StallWitness.thresholdNanoseconds })
    }
}
