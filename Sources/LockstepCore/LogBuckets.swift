/// The bucket layout of Lockstep's one histogram: HDR-style log buckets over all of `UInt64`, with
/// `2^subBucketBits` linear sub-buckets per power of two. Pure arithmetic, shared by
/// `LatencyHistogram` (one writer) and `AtomicLatencyHistogram` (any thread).
///
/// Values below `2^(subBucketBits + 1)` have a bucket each (exact). Above, a bucket
/// `[m·2^s, (m+1)·2^s)` with `2^b ≤ m < 2^(b+1)` is `1/m ≤ 2^-b` of its lower bound wide.
public struct LogBuckets: Sendable, Equatable {
    /// Bits of linear resolution per power of two (1…10).
    public let subBucketBits: Int

    /// The layout with `subBucketBits` (clamped to 1…10).
    public init(subBucketBits: Int) {
        self.subBucketBits = Swift.max(1, Swift.min(10, subBucketBits))
    }

    /// How many buckets cover every `UInt64`.
    public var count: Int { Self.count(subBucketBits: subBucketBits) }

    /// How many buckets cover every `UInt64` with `subBucketBits` (unclamped).
    public static func count(subBucketBits: Int) -> Int { (65 - subBucketBits) << subBucketBits }

    /// The largest relative error of a value reported as its bucket's midpoint: half a bucket's
    /// relative width, `2^-(subBucketBits + 1)`.
    public var relativeErrorBound: Double { 1.0 / Double(2 << subBucketBits) }

    /// The bucket that holds `value`.
    @inline(__always)
    public func index(of value: UInt64) -> Int {
        let subBuckets = UInt64(1) << UInt64(subBucketBits)
        if value < subBuckets { return Int(value) }
        let exponent = 63 - value.leadingZeroBitCount
        let shift = exponent - subBucketBits
        return (shift << subBucketBits) + Int(value >> UInt64(shift))
    }

    /// The smallest value that falls in bucket `index`, and the bucket's width.
    public func bounds(of index: Int) -> (lower: UInt64, width: UInt64) {
        let subBuckets = 1 << subBucketBits
        if index < 2 * subBuckets { return (UInt64(Swift.max(0, index)), 1) }
        let shift = index / subBuckets - 1
        let mantissa = UInt64(index % subBuckets + subBuckets)
        return (mantissa << UInt64(shift), UInt64(1) << UInt64(shift))
    }

    /// The largest value that falls in bucket `index`.
    public func upperBound(of index: Int) -> UInt64 {
        let (lower, width) = bounds(of: index)
        return lower &+ (width &- 1)
    }

    /// The middle of bucket `index` (what a percentile reports).
    public func midpoint(of index: Int) -> UInt64 {
        let (lower, width) = bounds(of: index)
        return lower + (width - 1) / 2
    }
}
