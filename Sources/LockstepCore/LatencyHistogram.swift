/// A log-bucketed histogram of non-negative 64-bit values (nanoseconds, mostly), recorded without
/// allocating, by one writer: the bench's latencies and jitter, the echo and timer benchmarks'
/// percentiles, and (as snapshots of `AtomicLatencyHistogram`) the server's Prometheus histograms.
///
/// **Error bound.** Buckets are `LogBuckets`: values below `2^subBucketBits` are exact; above, a
/// percentile reports its bucket's midpoint (clamped to the exact minimum and maximum), so it is
/// within `2^-(b+1)` of a value in its bucket: ≤ 0.39 % with the default 128 sub-buckets
/// (`subBucketBits` 7), ≤ 1.6 % with 32. The maximum, minimum, count and sum are exact.
public struct LatencyHistogram: Sendable, Equatable {
    /// The bucket layout.
    public let buckets: LogBuckets
    /// Counts per bucket (fixed size, allocated once).
    public private(set) var counts: [UInt64]
    /// How many values were recorded.
    public private(set) var count: UInt64 = 0
    /// The sum of the values (wrapping; for the mean).
    public private(set) var sum: UInt64 = 0
    /// The smallest value recorded (`UInt64.max` when empty).
    public private(set) var min: UInt64 = .max
    /// The largest value recorded (0 when empty).
    public private(set) var max: UInt64 = 0

    /// An empty histogram.
    ///
    /// - Parameter subBucketBits: linear sub-buckets per power of two as a power of two (1…10);
    ///   7 (128 sub-buckets, 59 KiB) by default.
    public init(subBucketBits: Int = 7) {
        buckets = LogBuckets(subBucketBits: subBucketBits)
        counts = [UInt64](repeating: 0, count: buckets.count)
    }

    /// A histogram of given bucket counts (a snapshot): `count` is their sum.
    init(buckets: LogBuckets, counts: [UInt64], sum: UInt64, min: UInt64, max: UInt64) {
        self.buckets = buckets
        self.counts = counts
        self.count = counts.reduce(0, &+)
        self.sum = sum
        self.min = count == 0 ? .max : min
        self.max = count == 0 ? 0 : max
    }

    /// Bits of linear resolution per power of two.
    public var subBucketBits: Int { buckets.subBucketBits }

    /// The largest relative error of a reported percentile: half a bucket's relative width.
    public var relativeErrorBound: Double { buckets.relativeErrorBound }

    /// Records one value. Allocates nothing.
    @inline(__always)
    public mutating func record(_ value: UInt64) {
        counts[buckets.index(of: value)] &+= 1
        count &+= 1
        sum &+= value
        if value < min { min = value }
        if value > max { max = value }
    }

    /// Adds every value of `other` (which must have the same resolution; else it is skipped).
    public mutating func merge(_ other: LatencyHistogram) {
        guard other.buckets == buckets, other.count > 0 else { return }
        for index in counts.indices where other.counts[index] != 0 { counts[index] &+= other.counts[index] }
        count &+= other.count
        sum &+= other.sum
        min = Swift.min(min, other.min)
        max = Swift.max(max, other.max)
    }

    /// The value at quantile `q` (0…1): the smallest recorded value with at least `⌈q·count⌉`
    /// values at or below it, reported as its bucket's midpoint; 0 when empty.
    public func value(atQuantile q: Double) -> UInt64 {
        guard count > 0 else { return 0 }
        let clamped = Swift.min(1, Swift.max(0, q))
        let rank = Swift.max(1, UInt64((clamped * Double(count)).rounded(.up)))
        if rank >= count { return max }
        var seen: UInt64 = 0
        for index in counts.indices where counts[index] != 0 {
            seen += counts[index]
            if seen >= rank { return Swift.min(max, Swift.max(min, buckets.midpoint(of: index))) }
        }
        return max
    }

    /// How many values fell in the buckets up to and including the one that holds `bound`: the
    /// values at or below `bound`, plus any in `bound`'s own bucket above it (less than one
    /// bucket's width, ≤ 0.78 % of `bound` with 128 sub-buckets). A Prometheus `le` bucket.
    public func count(atOrBelow bound: UInt64) -> UInt64 {
        let last = buckets.index(of: bound)
        var total: UInt64 = 0
        for index in 0...last where counts[index] != 0 { total &+= counts[index] }
        return total
    }

    /// The mean of the values (0 when empty).
    public var mean: Double { count == 0 ? 0 : Double(sum) / Double(count) }

    /// The cumulative distribution as `(value, fraction at or below)` points, one per non-empty
    /// bucket (bucket upper bounds), thinned to at most `maxPoints`.
    public func cumulativeDistribution(maxPoints: Int = 200) -> [(value: UInt64, fraction: Double)] {
        guard count > 0 else { return [] }
        var points: [(UInt64, Double)] = []
        var seen: UInt64 = 0
        for index in counts.indices where counts[index] != 0 {
            seen += counts[index]
            points.append((Swift.min(max, buckets.upperBound(of: index)), Double(seen) / Double(count)))
        }
        guard points.count > maxPoints, maxPoints > 1 else { return points }
        let stride = Double(points.count - 1) / Double(maxPoints - 1)
        return (0..<maxPoints).map { points[Int((Double($0) * stride).rounded())] }
    }

    /// Forgets every value (keeps the storage).
    public mutating func reset() {
        for index in counts.indices { counts[index] = 0 }
        count = 0
        sum = 0
        min = .max
        max = 0
    }
}
