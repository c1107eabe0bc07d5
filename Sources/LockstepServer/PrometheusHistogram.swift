import LockstepCore

/// A `LatencyHistogram` of nanoseconds as a Prometheus histogram in seconds (text format 0.0.4):
/// cumulative `_bucket` samples at the given `le` bounds, then `+Inf`, `_sum` and `_count`.
///
/// The log buckets do not fall on decimal bounds: an `le` bucket counts the log bucket that holds
/// its bound whole, so it may include values up to 0.78 % above the bound (`count(atOrBelow:)`).
public enum PrometheusHistogram {
    /// The sample lines (no `# HELP`/`# TYPE` header) of `histogram`.
    ///
    /// - Parameters:
    ///   - labels: labels every sample carries before `le`, such as `loop="0"` (or empty).
    ///   - boundsMicroseconds: the `le` bounds, in microseconds, ascending.
    ///   - boundLabel: how a bound (µs) is written as an `le` value in seconds.
    public static func samples(
        _ histogram: LatencyHistogram, name: String, labels: String = "", boundsMicroseconds: [UInt64],
        boundLabel: (UInt64) -> String = decimalSeconds(micros:)
    ) -> String {
        let prefix = labels.isEmpty ? "" : labels + ","
        let plain = labels.isEmpty ? "" : "{\(labels)}"
        var out = ""
        for bound in boundsMicroseconds {
            let (nanos, overflow) = bound.multipliedReportingOverflow(by: 1000)
            let cumulative = overflow ? histogram.count : histogram.count(atOrBelow: nanos)
            out += "\(name)_bucket{\(prefix)le=\"\(boundLabel(bound))\"} \(cumulative)\n"
        }
        out += "\(name)_bucket{\(prefix)le=\"+Inf\"} \(histogram.count)\n"
        out += "\(name)_sum\(plain) \(Double(histogram.sum) / 1e9)\n"
        out += "\(name)_count\(plain) \(histogram.count)\n"
        return out
    }

    /// `micros` as seconds in plain decimal, without trailing zeros: 10 → `0.00001`, 2500000 → `2.5`.
    public static func decimalSeconds(micros: UInt64) -> String {
        let whole = micros / 1_000_000
        var fraction = String(micros % 1_000_000)
        fraction = String(repeating: "0", count: 6 - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return fraction.isEmpty ? "\(whole)" : "\(whole).\(fraction)"
    }
}
