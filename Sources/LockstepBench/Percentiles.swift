/// Percentiles of a set of microsecond samples, for the benchmarks' reports.
struct Percentiles {
    var p50: UInt64 = 0
    var p99: UInt64 = 0
    var p999: UInt64 = 0
    var max: UInt64 = 0

    /// Sorts `samples` and reads the nearest-rank percentiles.
    init(_ samples: [UInt32]) {
        let sorted = samples.sorted()
        guard let last = sorted.last else { return }
        func at(_ fraction: Double) -> UInt64 {
            UInt64(sorted[Swift.min(sorted.count - 1, Int(Double(sorted.count) * fraction))])
        }
        p50 = at(0.5)
        p99 = at(0.99)
        p999 = at(0.999)
        max = UInt64(last)
    }
}
