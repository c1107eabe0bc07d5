import Foundation

/// The soak as text: one row per sample, the counts, and the verdict check by check.
public enum SoakTable {
    /// The whole table.
    public static func render(_ report: SoakReport) -> String {
        var out =
            "  time  phase    RSS MiB  fds  rooms run/wait/ended  conns  p50 µs  p99 µs  srv timer p99  srv CPU %  frames  "
            + "matches ended  reconnects  spectators  errors\n"
        for sample in report.samples { out += row(sample, warmup: report.warmupSeconds) + "\n" }
        let counts = report.counts
        out +=
            "\(report.rooms) rooms × \(report.players) players + \(report.spectators) spectator(s) at \(report.tickRate) Hz, "
            + "matches of \(format(report.matchSeconds)) s, \(Int(report.reconnectShare * 100)) % with a reconnect; "
            + "\(format(report.durationSeconds)) s, warm-up \(format(report.warmupSeconds)) s, a sample every "
            + "\(format(report.sampleEverySeconds)) s\n"
        out += "matches: \(counts.matchesCreated) created (\(counts.roomCreationFailures) creations failed), "
            + "\(counts.matchesStarted) started, \(counts.matchesEnded) ended and replaced, \(counts.matchesForced) ended by the bench; reconnects \(counts.reconnects)/\(counts.reconnectsAsked); "
            + "spectators joined mid-match \(counts.spectatorsJoined); connections opened \(counts.connectionsOpened); "
            + "frames measured \(counts.framesMeasured); errors \(counts.errors)\n"
        for check in report.verdict.checks {
            out += "\(check.passed ? "pass" : "FAIL")  \(check.name): \(check.detail)\n"
        }
        out += "soak: \(report.verdict.passed ? "PASSED" : "FAILED")\n"
        return out
    }

    /// One sample as the progress line shows it.
    public static func sampleLine(_ sample: SoakSample, warmup: Double) -> String {
        row(sample, warmup: warmup)
    }

    private static func row(_ sample: SoakSample, warmup: Double) -> String {
        let rooms = "\(text(sample.roomsRunning))/\(text(sample.roomsWaiting))/\(text(sample.roomsEnded))"
        return String(format: "%6.0f", sample.seconds) + "  " + (sample.seconds <= warmup ? "warm-up" : "soak   ")
            + pad(sample.rssBytes.map { String(format: "%.1f", Double($0) / 1_048_576) } ?? "-", 9)
            + pad(text(sample.openDescriptors), 5) + pad(rooms, 21) + pad(text(sample.connectionsOpen), 7)
            + pad(micros(sample.tickLatencyP50Micros), 8) + pad(micros(sample.tickLatencyP99Micros), 8)
            + pad(micros(sample.serverTimerLatenessP99Micros), 15)
            + pad(sample.serverCPUPercent.map { String(format: "%.1f", $0) } ?? "-", 11) + pad(String(sample.frames), 8)
            + pad(String(sample.matchesEnded), 15) + pad(String(sample.reconnects), 12)
            + pad(String(sample.spectatorsJoined), 12)
            + pad(String(sample.errors), 8)
    }

    private static func text(_ value: Int?) -> String { value.map(String.init) ?? "-" }
    private static func micros(_ value: Double?) -> String { value.map { String(format: "%.0f", $0) } ?? "-" }
    private static func format(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
    private static func pad(_ text: String, _ width: Int) -> String {
        String(repeating: " ", count: max(1, width - text.count)) + text
    }
}
