import Foundation

/// The soak's self-contained HTML report: command, machine, verdict, the sample table and inline
/// SVG charts of memory, descriptors, rooms and connections, and tick latency over time.
public enum SoakHTMLReport {
    /// The charts of `report`, by file name (`soak-memory.svg`, …), in display order.
    public static func charts(_ report: SoakReport) -> [(name: String, svg: String)] {
        let samples = report.samples
        func series(_ name: String, _ value: (SoakSample) -> Double?) -> SVGChart.Series {
            .init(name: name, points: samples.compactMap { sample in value(sample).map { (sample.seconds / 60, $0) } })
        }
        let minutes =
            "minutes since the start (warm-up: the first \(String(format: "%.1f", report.warmupSeconds / 60)))"
        var memory = SVGChart(
            title: "Server RSS", xLabel: minutes, yLabel: "MiB",
            series: [series("RSS") { $0.rssBytes.map { Double($0) / 1_048_576 } }])
        if let limit = rssLimit(report) { memory.references = [(limit / 1_048_576, "limit")] }
        let descriptors = SVGChart(
            title: "Server open descriptors and connections", xLabel: minutes, yLabel: "count",
            series: [
                series("descriptors") { $0.openDescriptors.map { Double($0) } },
                series("connections open") { $0.connectionsOpen.map { Double($0) } },
            ])
        let rooms = SVGChart(
            title: "Rooms by state and matches replaced", xLabel: minutes, yLabel: "rooms",
            series: [
                series("running") { $0.roomsRunning.map { Double($0) } },
                series("waiting") { $0.roomsWaiting.map { Double($0) } },
                series("ended, not yet forgotten") { $0.roomsEnded.map { Double($0) } },
                series("matches ended (total)") { Double($0.matchesEnded) },
            ])
        var latency = SVGChart(
            title: "Tick latency per sample interval", xLabel: minutes, yLabel: "µs (log scale)",
            series: [
                series("p50") { $0.tickLatencyP50Micros },
                series("p99") { $0.tickLatencyP99Micros },
                series("server timer lateness p99") { $0.serverTimerLatenessP99Micros },
            ])
        latency.logY = true
        latency.references = [(report.p99BudgetMicros, "bench budget")]
        return [
            ("soak-memory.svg", memory.render()), ("soak-descriptors.svg", descriptors.render()),
            ("soak-rooms.svg", rooms.render()), ("soak-latency.svg", latency.render()),
        ]
    }

    /// The whole HTML page.
    public static func render(_ report: SoakReport) -> String {
        let machine = report.machine
        var html = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>lockstep soak report</title>
            <style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em}
            pre{background:#f4f4f4;padding:.8em;overflow-x:auto}figure{display:inline-block;margin:.5em}</style>
            </head><body>
            <h1>lockstep soak: \(report.verdict.passed ? "passed" : "FAILED")</h1>
            <p>\(SVGChart.escape(report.createdAt)) · \(SVGChart.escape(report.target)) server\
            \(report.serverLoops.map { " (\($0) loops)" } ?? "")</p>
            <h2>Command</h2><pre>\(SVGChart.escape(report.commandLine))</pre>
            <h2>Machine</h2><pre>\(SVGChart.escape(machine.cpuModel)), \(machine.cores) logical CPUs, \
            \(machine.memoryBytes / (1 << 20)) MiB, \(SVGChart.escape(machine.kernel)), host \(SVGChart.escape(machine.hostname))</pre>
            <h2>Samples and verdict</h2><pre>\(SVGChart.escape(SoakTable.render(report)))</pre>
            <h2>Charts</h2>

            """
        for chart in charts(report) { html += "<figure>\(chart.svg)</figure>\n" }
        html += """
            <h2>How it is judged</h2>
            <p>The samples of the warm-up's second half set the baselines. After the warm-up, the server's RSS must stay
            at or under their median × \(report.thresholds.rssRatio) + \(report.thresholds.rssSlackBytes >> 20) MiB; its open
            descriptors within their median ± \(report.thresholds.descriptorSlack(expectedConnections: report.expectedConnections));
            the median p99 tick latency of the last third of the samples at or under the first third's ×
            \(report.thresholds.p99DriftRatio) + \(Int(report.thresholds.p99DriftSlackMicros)) µs\
            \(report.thresholds.judgesP99Drift ? "" : " (reported, not judged, in this run)"); and every interval must
            have measured frames. Tick latency is a frame's arrival at the bot minus its tick's deadline, as in
            <code>lockstep bench</code>. The JSON schema and the reasons for these bands are in docs/BENCHMARKS.md.</p>
            </body></html>

            """
        return html
    }

    /// The RSS limit the verdict applied, bytes (`nil` without RSS samples).
    static func rssLimit(_ report: SoakReport) -> Double? {
        let warm = report.samples.filter { $0.seconds <= report.warmupSeconds && $0.seconds > report.warmupSeconds / 2 }
            .compactMap(\.rssBytes).map { Double($0) }
        let base = SoakVerdict.median(
            warm.isEmpty ? report.samples.prefix(1).compactMap(\.rssBytes).map { Double($0) } : warm)
        return base.map { $0 * report.thresholds.rssRatio + Double(report.thresholds.rssSlackBytes) }
    }
}
