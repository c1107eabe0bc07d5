import Synchronization

/// `LatencyHistogram`'s buckets (`LogBuckets` with 128 sub-buckets, ≤ 0.39 % error) in relaxed
/// atomics: recorded from any thread without a lock or an allocation, read from any thread as a
/// `LatencyHistogram` snapshot. The event loops' timer lateness and the battle server's tick
/// histograms, exported to Prometheus.
///
/// A snapshot taken while values are being recorded may miss the newest few; its count is the sum
/// of its bucket counts, so its Prometheus `+Inf` bucket and `_count` always agree.
public final class AtomicLatencyHistogram: Sendable {
    /// The bucket layout: 128 sub-buckets per power of two, as `LatencyHistogram()`.
    public static let buckets = LogBuckets(subBucketBits: 7)

    private let counts: InlineArray<7424, Atomic<UInt64>>  // LogBuckets.count(subBucketBits: 7)
    private let sum = Atomic<UInt64>(0)
    private let min = Atomic<UInt64>(.max)
    private let max = Atomic<UInt64>(0)

    /// An empty histogram (59 KiB, allocated once).
    public init() {
        counts = InlineArray { _ in Atomic<UInt64>(0) }
    }

    /// Records one value from any thread. Allocates nothing, takes no lock.
    @inline(__always)
    public func record(_ value: UInt64) {
        counts[Self.buckets.index(of: value)].wrappingAdd(1, ordering: .relaxed)
        sum.wrappingAdd(value, ordering: .relaxed)
        lower(min, to: value)
        raise(max, to: value)
    }

    /// Records one value with plain loads and stores, no locked instruction: for a histogram
    /// only one thread records into (a loop's own). Readers on other threads may see the count
    /// before the sum, as with `record(_:)`; two writers would lose values.
    @inline(__always)
    public func recordAsSoleWriter(_ value: UInt64) {
        let bucket = Self.buckets.index(of: value)
        counts[bucket].store(counts[bucket].load(ordering: .relaxed) &+ 1, ordering: .relaxed)
        sum.store(sum.load(ordering: .relaxed) &+ value, ordering: .relaxed)
        if value < min.load(ordering: .relaxed) { min.store(value, ordering: .relaxed) }
        if value > max.load(ordering: .relaxed) { max.store(value, ordering: .relaxed) }
    }

    // Compare-and-swap loops, not `Atomic.min`/`max`: in Swift 6.3 those compare `UInt64` as
    // signed (a value of 2^63 or more lost to a smaller one), which the tests caught.
    @inline(__always)
    private func raise(_ atomic: borrowing Atomic<UInt64>, to value: UInt64) {
        var current = atomic.load(ordering: .relaxed)
        while value > current {
            let (exchanged, original) = atomic.weakCompareExchange(expected: current, desired: value, ordering: .relaxed)
            if exchanged { return }
            current = original
        }
    }

    @inline(__always)
    private func lower(_ atomic: borrowing Atomic<UInt64>, to value: UInt64) {
        var current = atomic.load(ordering: .relaxed)
        while value < current {
            let (exchanged, original) = atomic.weakCompareExchange(expected: current, desired: value, ordering: .relaxed)
            if exchanged { return }
            current = original
        }
    }

    /// The values recorded so far, as a `LatencyHistogram` (allocates its bucket array).
    public func snapshot() -> LatencyHistogram {
        var values = [UInt64](repeating: 0, count: counts.count)
        for index in values.indices { values[index] = counts[index].load(ordering: .relaxed) }
        return LatencyHistogram(
            buckets: Self.buckets, counts: values, sum: sum.load(ordering: .relaxed),
            min: min.load(ordering: .relaxed), max: max.load(ordering: .relaxed))
    }
}
