import Foundation

/// The soak's pass or fail: after the warm-up, RSS and open descriptors stay in their bands, the
/// tick-latency p99 does not drift, and the load kept playing. Pure: judged from the samples alone.
public struct SoakVerdict: Codable, Sendable, Equatable {
    /// One judged property.
    public struct Check: Codable, Sendable, Equatable {
        /// `samples`, `load`, `rss`, `descriptors` or `p99-drift`.
        public var name: String
        /// Whether it held (a check with nothing to judge, such as RSS without the server's pid, holds and says so).
        public var passed: Bool
        /// What was measured against what limit, as a sentence.
        public var detail: String
    }

    /// Every check held.
    public var passed: Bool
    /// The checks, in the order above.
    public var checks: [Check]

    /// Judges `samples` (in time order): those in the second half of the warm-up (up to
    /// `warmupSeconds`) set the baselines, those after it are held to `thresholds`.
    public static func judge(
        samples: [SoakSample], warmupSeconds: Double, expectedConnections: Int, thresholds: SoakThresholds
    ) -> SoakVerdict {
        // The baselines come from the warm-up's second half: by then the rooms are all playing.
        let warm = samples.filter { $0.seconds <= warmupSeconds && $0.seconds > warmupSeconds / 2 }
        let warmCount = samples.filter { $0.seconds <= warmupSeconds }.count
        let judged = samples.filter { $0.seconds > warmupSeconds }
        var checks: [Check] = []
        guard judged.count >= 3 else {
            checks.append(
                Check(name: "samples", passed: false, detail: "\(judged.count) samples after the warm-up: 3 are needed")
            )
            return SoakVerdict(passed: false, checks: checks)
        }
        checks.append(
            Check(
                name: "samples", passed: true,
                detail:
                    "\(warmCount) warm-up samples (\(warm.count) in its second half, the baselines), \(judged.count) judged"
            ))
        let idle = judged.filter { $0.frames == 0 }
        checks.append(
            Check(
                name: "load", passed: idle.isEmpty,
                detail: idle.isEmpty
                    ? "frames measured in every judged interval"
                    : "no frame measured in \(idle.count) interval(s), first at \(Int(idle[0].seconds)) s"))
        checks.append(rss(warm: warm, judged: judged, thresholds))
        checks.append(descriptors(warm: warm, judged: judged, expectedConnections: expectedConnections, thresholds))
        checks.append(drift(judged: judged, thresholds))
        return SoakVerdict(passed: checks.allSatisfy(\.passed), checks: checks)
    }

    private static func rss(warm: [SoakSample], judged: [SoakSample], _ thresholds: SoakThresholds) -> Check {
        let baseSamples = (warm.isEmpty ? [judged[0]] : warm).compactMap(\.rssBytes).map { Double($0) }
        let values = judged.compactMap(\.rssBytes).map { Double($0) }
        guard let base = median(baseSamples), let peak = values.max() else {
            return Check(name: "rss", passed: true, detail: "not judged: the server's RSS is unknown (no pid)")
        }
        let limit = base * thresholds.rssRatio + Double(thresholds.rssSlackBytes)
        return Check(
            name: "rss", passed: peak <= limit,
            detail: "peak \(mib(peak)) MiB against a limit of \(mib(limit)) MiB (warm-up median \(mib(base)) MiB "
                + "× \(thresholds.rssRatio) + \(mib(Double(thresholds.rssSlackBytes))) MiB)")
    }

    private static func descriptors(
        warm: [SoakSample], judged: [SoakSample], expectedConnections: Int, _ thresholds: SoakThresholds
    ) -> Check {
        let baseSamples = (warm.isEmpty ? [judged[0]] : warm).compactMap(\.openDescriptors).map { Double($0) }
        let values = judged.compactMap(\.openDescriptors)
        guard let base = median(baseSamples), let low = values.min(), let high = values.max() else {
            return Check(
                name: "descriptors", passed: true, detail: "not judged: the server's descriptors are unknown (no pid)")
        }
        let slack = Double(thresholds.descriptorSlack(expectedConnections: expectedConnections))
        let passed = Double(high) <= base + slack && Double(low) >= base - slack
        return Check(
            name: "descriptors", passed: passed,
            detail:
                "\(low)…\(high) open against \(max(0, Int(base - slack)))…\(Int(base + slack)) (warm-up median \(Int(base)) "
                + "± \(Int(slack)))")
    }

    private static func drift(judged: [SoakSample], _ thresholds: SoakThresholds) -> Check {
        let third = judged.count / 3
        let first = judged.prefix(third).compactMap(\.tickLatencyP99Micros)
        let last = judged.suffix(third).compactMap(\.tickLatencyP99Micros)
        guard let early = median(first), let late = median(last) else {
            return Check(
                name: "p99-drift", passed: false, detail: "no tick latency measured in the first or last third")
        }
        let limit = early * thresholds.p99DriftRatio + thresholds.p99DriftSlackMicros
        return Check(
            name: "p99-drift", passed: late <= limit || !thresholds.judgesP99Drift,
            detail: (thresholds.judgesP99Drift ? "" : "not judged (reported only): ")
                + "last third's median p99 \(micros(late)) µs against a limit of \(micros(limit)) µs (first third's "
                + "\(micros(early)) µs × \(thresholds.p99DriftRatio) + \(micros(thresholds.p99DriftSlackMicros)) µs)")
    }

    /// The median (the mean of the middle two for an even count), or `nil` for no values.
    static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    private static func mib(_ bytes: Double) -> String { String(format: "%.1f", bytes / 1_048_576) }
    private static func micros(_ value: Double) -> String { String(format: "%.0f", value) }
}
