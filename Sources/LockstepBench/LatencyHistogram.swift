/// A log-bucketed histogram of non-negative 64-bit values (nanoseconds here), recorded without
/// allocating: HDR-style buckets, `2^subBucketBits` linear sub-buckets per power of two.
///
/// **Error bound.** Values below `2^subBucketBits` are exact. Above, a bucket `[m·2^s, (m+1)·2^s)`
/// with `2^b ≤ m < 2^(b+1)` is `1/m ≤ 2^-b` of its lower bound wide, and a percentile reports the
/// bucket's midpoint (clamped to the exact minimum and maximum), so a reported percentile is
/// within `2^-(b+1)` of a value in its bucket: ≤ 0.39 % with the default 128 sub-buckets
/// (`subBucketBits` 7), ≤ 1.6 % with 32. The maximum, minimum, count and sum are exact.
public struct LatencyHistogram: Sendable, Equatable {
    /// Bits of linear resolution per power of two.
    public let subBucketBits: Int
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
        self.subBucketBits = Swift.max(1, Swift.min(10, subBucketBits))
        counts = [UInt64](repeating: 0, count: (65 - self.subBucketBits) << self.subBucketBits)
    }

    /// The largest relative error of a reported percentile: half a bucket's relative width.
    public var relativeErrorBound: Double { 1.0 / Double(2 << subBucketBits) }

    /// The bucket that holds `value`.
    @inline(__always)
    func bucket(of value: UInt64) -> Int {
        let subBuckets = UInt64(1) << UInt64(subBucketBits)
        if value < subBuckets { return Int(value) }
        let exponent = 63 - value.leadingZeroBitCount
        let shift = exponent - subBucketBits
        return (shift << subBucketBits) + Int(value >> UInt64(shift))
    }

    /// The smallest value that falls in bucket `index`, and the bucket's width.
    func bounds(of index: Int) -> (lower: UInt64, width: UInt64) {
        let subBuckets = 1 << subBucketBits
        if index < 2 * subBuckets { return (UInt64(index), 1) }
        let shift = index / subBuckets - 1
        let mantissa = UInt64(index % subBuckets + subBuckets)
        return (mantissa << UInt64(shift), UInt64(1) << UInt64(shift))
    }

    /// Records one value. Allocates nothing.
    @inline(__always)
    public mutating func record(_ value: UInt64) {
        counts[bucket(of: value)] &+= 1
        count &+= 1
        sum &+= value
        if value < min { min = value }
        if value > max { max = value }
    }

    /// Adds every value of `other` (which must have the same resolution; else it is skipped).
    public mutating func merge(_ other: LatencyHistogram) {
        guard other.subBucketBits == subBucketBits, other.count > 0 else { return }
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
            if seen >= rank {
                let (lower, width) = bounds(of: index)
                let middle = lower + (width - 1) / 2
                return Swift.min(max, Swift.max(min, middle))
            }
        }
        return max
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
            let (lower, width) = bounds(of: index)
            points.append((Swift.min(max, lower + width - 1), Double(seen) / Double(count)))
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
