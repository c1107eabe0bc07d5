import Testing
@testable import LockstepCore

/// The histogram's percentiles match a sorted-array reference within the stated error bound.
@Suite struct LatencyHistogramTests {
    static let quantiles = [0.0, 0.001, 0.1, 0.5, 0.9, 0.99, 0.999, 1.0]

    func check(_ values: [UInt64], subBucketBits: Int = 7) {
        var histogram = LatencyHistogram(subBucketBits: subBucketBits)
        for value in values { histogram.record(value) }
        let sorted = values.sorted()
        for q in Self.quantiles {
            let rank = max(1, Int((q * Double(sorted.count)).rounded(.up)))
            let exact = sorted[rank - 1]
            let reported = histogram.value(atQuantile: q)
            let error = abs(Double(reported) - Double(exact))
            #expect(error <= Double(exact) * histogram.relativeErrorBound + 0.5, "q=\(q) exact=\(exact) reported=\(reported)")
        }
        #expect(histogram.count == UInt64(values.count))
        #expect(histogram.max == sorted.last)
        #expect(histogram.min == sorted.first)
    }

    @Test func percentilesOfLogUniformLatenciesAreWithinTheErrorBound() {
        var random = SplitMix64(state: 42)
        // 10 ns to ~10 s, spread over decades like real latencies.
        let values = (0..<200_000).map { _ in UInt64(10 * pow2(Double(random.next() % 1_000_000) / 1_000_000 * 30)) }
        check(values)
    }

    @Test func percentilesOfClusteredLatenciesAreWithinTheErrorBound() {
        var random = SplitMix64(state: 7)
        // Most frames near 80 µs, a tail of pauses near 5 ms.
        let values = (0..<100_000).map { index -> UInt64 in
            let base: UInt64 = index % 500 == 0 ? 5_000_000 : 80_000
            return base + random.next() % (base / 4)
        }
        check(values)
        check(values, subBucketBits: 5)
    }

    @Test func smallValuesAreExact() {
        var histogram = LatencyHistogram()
        for value in 0..<128 as Range<UInt64> { histogram.record(value) }
        #expect(histogram.value(atQuantile: 0.5) == 63)
        #expect(histogram.value(atQuantile: 1) == 127)
    }

    @Test func theErrorBoundIsUnderOnePercentWith128SubBuckets() {
        #expect(LatencyHistogram().relativeErrorBound < 0.01)
        #expect(LatencyHistogram(subBucketBits: 5).relativeErrorBound < 0.02)
    }

    @Test func mergingEqualsRecordingEverythingInOne() {
        var random = SplitMix64(state: 3)
        var a = LatencyHistogram(), b = LatencyHistogram(), all = LatencyHistogram()
        for index in 0..<10_000 {
            let value = random.next() % 10_000_000
            if index % 2 == 0 { a.record(value) } else { b.record(value) }
            all.record(value)
        }
        a.merge(b)
        #expect(a == all)
    }

    @Test func theLargestValuesHaveABucket() {
        var histogram = LatencyHistogram()
        histogram.record(.max)
        histogram.record(1 << 63)
        #expect(histogram.value(atQuantile: 1) == .max)
        #expect(histogram.count == 2)
    }

    @Test func everyValueFallsInsideItsBucketAndBucketsAscend() {
        var random = SplitMix64(state: 11)
        for subBucketBits in [1, 5, 7, 10] {
            let buckets = LogBuckets(subBucketBits: subBucketBits)
            var values: [UInt64] = [0, 1, .max, 1 << 63, (1 << 63) - 1]
            for _ in 0..<20_000 { values.append(random.next() >> (random.next() % 64)) }
            values.sort()
            var previous = 0
            for value in values {
                let index = buckets.index(of: value)
                #expect(index >= previous && index < buckets.count, "b=\(subBucketBits) value=\(value)")
                #expect(buckets.bounds(of: index).lower <= value && value <= buckets.upperBound(of: index), "b=\(subBucketBits) value=\(value)")
                previous = index
            }
        }
    }

    @Test func countAtOrBelowABoundMissesNothingBelowItAndAddsLessThanABucketAbove() {
        var random = SplitMix64(state: 5)
        var histogram = LatencyHistogram()
        let values = (0..<50_000).map { _ in random.next() % 20_000_000 }
        for value in values { histogram.record(value) }
        let sorted = values.sorted()
        func countAtOrBelow(_ bound: UInt64) -> UInt64 { UInt64(sorted.prefix { $0 <= bound }.count) }
        var bounds: [UInt64] = [0, 10_000, 50_000, 1_000_000, 10_000_000, 30_000_000]
        for _ in 0..<200 { bounds.append(random.next() % 25_000_000) }
        for bound in bounds {
            let reported = histogram.count(atOrBelow: bound)
            let slack = UInt64(Double(bound) * 2 * histogram.relativeErrorBound)
            #expect(reported >= countAtOrBelow(bound), "bound=\(bound)")
            #expect(reported <= countAtOrBelow(bound + slack), "bound=\(bound)")
        }
    }

    @Test func anEmptyHistogramReportsZero() {
        #expect(LatencyHistogram().value(atQuantile: 0.99) == 0)
        #expect(LatencyHistogram().cumulativeDistribution().isEmpty)
    }
}

private func pow2(_ exponent: Double) -> Double {
    var result = 1.0
    var remaining = exponent
    while remaining >= 1 {
        result *= 2
        remaining -= 1
    }
    return result * (1 + remaining * 0.6931471805599453 * (1 + remaining * 0.34657359027997264))
}
