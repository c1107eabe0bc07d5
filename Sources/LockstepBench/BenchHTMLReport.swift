import Foundation

/// The self-contained HTML report: command line, machine, the table, and inline SVG charts
/// (latency CDF, p99 over time, latency and CPU against room count).
public enum BenchHTMLReport {
    /// The charts of `report`, by file name (`latency-cdf.svg`, …), in display order.
    public static func charts(_ report: BenchReport) -> [(name: String, svg: String)] {
        var charts: [(String, String)] = []
        let runs = report.runs
        let cdf = SVGChart(
            title: "Tick latency CDF", xLabel: "latency (µs, log scale)", yLabel: "fraction of frames",
            series: runs.map { run in
                .init(name: "\(run.rooms) rooms", points: run.latencyCDF.compactMap { $0.count == 2 ? ($0[0], $0[1]) : nil })
            }, logX: true)
        charts.append(("latency-cdf.svg", cdf.render()))
        // Beside each run's p99, the longest pause of the whole machine in that second (stall witness).
        var overTimeSeries: [SVGChart.Series] = []
        for run in runs {
            overTimeSeries.append(
                .init(name: "\(run.rooms) rooms", points: run.p99BySecond.enumerated().map { (Double($0.offset), $0.element) }))
            if let stalls = run.machineStalls, stalls.count > 0 {
                var pauses = SVGChart.Series(
                    name: "\(run.rooms) rooms: longest machine pause",
                    points: stalls.longestBySecond.enumerated().compactMap { $0.element > 0 ? (Double($0.offset), $0.element) : nil })
                pauses.markersOnly = true
                overTimeSeries.append(pauses)
            }
        }
        var overTime = SVGChart(
            title: "p99 tick latency over time (and the longest machine pause)", xLabel: "second of the measured window",
            yLabel: "µs (log scale)", series: overTimeSeries)
        overTime.logY = true
        overTime.references = [(report.p99BudgetMicros, "budget")]
        charts.append(("p99-over-time.svg", overTime.render()))
        if runs.count > 1 {
            var latency = SVGChart(
                title: "Tick latency against room count", xLabel: "rooms (× \(report.players) players)",
                yLabel: "µs (log scale)",
                series: [
                    .init(name: "p50", points: runs.map { (Double($0.rooms), $0.latency.p50) }),
                    .init(name: "p99", points: runs.map { (Double($0.rooms), $0.latency.p99) }),
                    .init(name: "p99 outside machine pauses", points: runs.compactMap { run in
                        run.machineStalls?.latencyOutsideStalls.map { (Double(run.rooms), $0.p99) }
                    }),
                    .init(name: "p99.9", points: runs.map { (Double($0.rooms), $0.latency.p999) }),
                ])
            latency.logY = true
            latency.references = [(report.p99BudgetMicros, "p99 budget")]
            charts.append(("latency-vs-rooms.svg", latency.render()))
            let cpu = SVGChart(
                title: "CPU against room count", xLabel: "rooms (× \(report.players) players)", yLabel: "% of one core",
                series: [
                    .init(name: "server", points: runs.compactMap { run in run.server.cpuPercent.map { (Double(run.rooms), $0) } }),
                    .init(name: "generator", points: runs.map { (Double($0.rooms), $0.generator.cpuPercent) }),
                ])
            charts.append(("cpu-vs-rooms.svg", cpu.render()))
            var perTick = SVGChart(
                title: "Server CPU per connection-tick", xLabel: "rooms (× \(report.players) players)", yLabel: "µs",
                series: [
                    .init(name: "server", points: runs.compactMap { run in
                        run.server.cpuPerConnectionTickMicros.map { (Double(run.rooms), $0) }
                    })
                ])
            perTick.references = [(15, "C epoll floor ≈ 15 µs")]
            charts.append(("cpu-per-connection-tick.svg", perTick.render()))
        }
        return charts
    }

    /// The whole HTML page.
    public static func render(_ report: BenchReport) -> String {
        let machine = report.machine
        var html = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>lockstep bench report</title>
            <style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em}
            pre{background:#f4f4f4;padding:.8em;overflow-x:auto}figure{display:inline-block;margin:.5em}</style>
            </head><body>
            <h1>lockstep bench</h1>
            <p>\(SVGChart.escape(report.createdAt)) · \(SVGChart.escape(report.target)) server\
            \(report.serverLoops.map { " (\($0) loops)" } ?? "")</p>
            <h2>Command</h2><pre>\(SVGChart.escape(report.commandLine))</pre>
            <h2>Machine</h2><pre>\(SVGChart.escape(machine.cpuModel)), \(machine.cores) logical CPUs, \
            \(machine.memoryBytes / (1 << 20)) MiB, \(SVGChart.escape(machine.kernel)), host \(SVGChart.escape(machine.hostname))</pre>
            <h2>Results</h2><pre>\(SVGChart.escape(BenchTable.render(report)))</pre>
            <h2>Charts</h2>

            """
        for chart in charts(report) { html += "<figure>\(chart.svg)</figure>\n" }
        html += """
            <h2>How it is measured</h2>
            <p>Tick latency is the time a confirmed FRAME reaches the bot's socket (the kernel's receive timestamp)
            minus that tick's deadline from the schedule the room announced (WELCOME/SCHEDULE), both on
            CLOCK_MONOTONIC of this host; "read" is when the bot's loop got to it. A stall witness (a thread per CPU
            waking every millisecond) records when every CPU was paused at once; "p99 ex-stall" leaves out the
            frames such a pause fell on. Percentiles come
            from a log-bucketed histogram with a relative error under \
            \(String(format: "%.2f", report.percentileRelativeError * 100)) %. Missed ticks are gaps, schedule
            re-anchors and ticks not delivered by the end; late frames arrived more than one period after their
            deadline. The JSON schema is documented in docs/BENCHMARKS.md.</p>
            </body></html>

            """
        return html
    }
}
