import Foundation

/// The report as text for people: one row per room count, then the sweep's answer.
public enum BenchTable {
    /// The table for `report`.
    public static func render(_ report: BenchReport) -> String {
        let header = [
            "rooms", "conns", "p50 µs", "p90 µs", "p99 µs", "p99.9 µs", "max µs", "read p50", "read p99", "p99 ex-stall", "stalls",
            "jitter p99", "late", "missed",
            "filled", "srv CPU %", "µs/conn-tick", "srv wake/s", "KiB/conn", "gen CPU %", "other CPU %", "steal %", "result",
        ]
        var rows = [header]
        for run in report.runs {
            rows.append([
                String(run.rooms), String(run.connections), number(run.latency.p50), number(run.latency.p90),
                number(run.latency.p99), number(run.latency.p999), number(run.latency.max),
                run.readLatency.map { number($0.p50) } ?? "-", run.readLatency.map { number($0.p99) } ?? "-",
                run.machineStalls?.latencyOutsideStalls.map { number($0.p99) } ?? "-",
                run.machineStalls.map { "\($0.count)/\(number($0.totalMillis))ms" } ?? "-",
                number(run.jitter.p99),
                String(run.ticks.lateFrames), String(run.ticks.missedTicks), String(run.inputs.filled),
                run.server.cpuPercent.map { number($0) } ?? "-",
                run.server.cpuPerConnectionTickMicros.map { String(format: "%.2f", $0) } ?? "-",
                run.server.wakeupsPerSecond.map { number($0) } ?? "-",
                run.server.memoryPerConnectionBytes.map { String(format: "%.1f", $0 / 1024) } ?? "-",
                number(run.generator.cpuPercent) + (run.generator.fellBehind ? "!" : ""),
                run.otherCPUPercent.map { number($0) + ($0 > BenchResult.disturbingOtherCPUPercent ? "!" : "") } ?? "-",
                run.stealPercent.map { number($0) } ?? "-",
                run.passed ? "pass" : "FAIL",
            ])
        }
        let widths = header.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        var text = ""
        for (index, row) in rows.enumerated() {
            text += row.indices.map { pad(row[$0], widths[$0], left: $0 == row.count - 1) }.joined(separator: "  ") + "\n"
            if index == 0 { text += widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ") + "\n" }
        }
        text += "tick rate \(report.tickRate) Hz, \(report.players) players"
            + (report.spectators > 0 ? " + \(report.spectators) spectator" + (report.spectators == 1 ? "" : "s") : "")
            + " per room, \(number(report.durationSeconds)) s measured; latency = frame arrival (kernel receive timestamp) − tick deadline; "
            + "read = when the bot's loop got to it; "
            + "percentiles within \(String(format: "%.2f", report.percentileRelativeError * 100)) %\n"
        let budget = "p99 ≤ \(number(report.p99BudgetMicros)) µs and no missed tick"
        if let best = report.maxRoomsWithinBudget {
            text += "largest room count within budget (\(budget)): \(best)\n"
        } else {
            text += "no room count held the budget (\(budget))\n"
        }
        if report.runs.contains(where: { $0.machineStalls != nil }) {
            text += "stalls = pauses of the whole machine seen by the stall witness (every CPU late at once by ≥ 500 µs): "
                + "count/total; p99 ex-stall = p99 of the frames no such pause delayed\n"
        }
        if report.runs.contains(where: { $0.server.wakeupsPerSecond != nil || $0.stealPercent != nil }) {
            text += "srv wake/s = the server's event-loop wake-ups per second (all loops); "
                + "steal % = CPU time the hypervisor gave to other guests (of one core; 200 = both of 2 vCPUs)\n"
        }
        if report.runs.contains(where: \.generator.fellBehind) {
            text += "! the load generator fell behind its own schedule in a run marked '!': those latencies include it\n"
        }
        if report.runs.contains(where: { ($0.otherCPUPercent ?? 0) > BenchResult.disturbingOtherCPUPercent }) {
            text += "! other processes used CPU during a run marked '!' in 'other CPU %': rerun on a quiet machine\n"
        }
        return text
    }

    /// One line summing up a finished run (printed after each run).
    public static func progressSummary(_ run: BenchResult) -> String {
        "[\(run.rooms) rooms] done: \(run.started)/\(run.connections) playing, p50 \(number(run.latency.p50)) µs, "
            + "p99 \(number(run.latency.p99)) µs, max \(number(run.latency.max)) µs, missed \(run.ticks.missedTicks), "
            + "server CPU \(run.server.cpuPercent.map { number($0) } ?? "-") %, "
            + "generator CPU \(number(run.generator.cpuPercent)) % — \(run.passed ? "pass" : "FAIL")          "
    }

    static func number(_ value: Double) -> String {
        if value >= 100 || value == value.rounded() { return String(Int(value.rounded())) }
        return String(format: "%.1f", value)
    }

    private static func pad(_ text: String, _ width: Int, left: Bool) -> String {
        let padding = String(repeating: " ", count: max(0, width - text.count))
        return left ? text + padding : padding + text
    }
}
