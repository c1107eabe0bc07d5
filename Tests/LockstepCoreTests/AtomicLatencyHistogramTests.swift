import CAllocationCounter
import Dispatch
import Testing
@testable import LockstepCore

/// The atomic histogram is the same histogram: recorded from many threads at once, its snapshot
/// equals a `LatencyHistogram` of the same values recorded by one.
@Suite struct AtomicLatencyHistogramTests {
    @Test func aSnapshotAfterConcurrentRecordingEqualsRecordingEverythingOnOneThread() {
        var random = SplitMix64(state: 99)
        let values = (0..<80_000).map { _ in random.next() >> (random.next() % 50) }
        var expected = LatencyHistogram()
        for value in values { expected.record(value) }
        let atomic = AtomicLatencyHistogram()
        let threads = 8
        DispatchQueue.concurrentPerform(iterations: threads) { part in
            for index in stride(from: part, to: values.count, by: threads) { atomic.record(values[index]) }
        }
        #expect(atomic.snapshot() == expected)
    }

    @Test func recordingAsTheSoleWriterGivesTheSameHistogramAsAtomicRecording() {
        var random = SplitMix64(state: 5)
        let values = (0..<20_000).map { _ in random.next() >> (random.next() % 64) }
        let atomic = AtomicLatencyHistogram()
        let sole = AtomicLatencyHistogram()
        var expected = LatencyHistogram()
        for value in values {
            atomic.record(value)
            sole.recordAsSoleWriter(value)
            expected.record(value)
        }
        #expect(sole.snapshot() == atomic.snapshot())
        #expect(sole.snapshot() == expected)
    }

    @Test func anEmptySnapshotIsAnEmptyHistogram() {
        #expect(AtomicLatencyHistogram().snapshot() == LatencyHistogram())
        #expect(AtomicLatencyHistogram.buckets.count == LogBuckets.count(subBucketBits: 7))
    }

    @Test func recordingAllocatesNothing() {
        let atomic = AtomicLatencyHistogram()
        func recordMany() {
            var value: UInt64 = 0
            while value < 10_000 {
                atomic.record(value &* 977)
                value += 1
            }
        }
        recordMany()  // warm up: the first use of a type instantiates its metadata
        let before = lockstep_thread_allocations()
        recordMany()
        #expect(lockstep_thread_allocations() - before == 0)
        #expect(atomic.snapshot().count == 20_000)
    }
}
