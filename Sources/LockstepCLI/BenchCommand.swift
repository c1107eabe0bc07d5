import LockstepCore
import Foundation
import LockstepBench
import LockstepClient

/// `lockstep bench`: the tick-latency benchmark (rooms × players over real sockets).
public enum BenchCommand: Command {
    public static let spec = CommandSpec(
        path: ["bench"], summary: "Measure tick latency, jitter, CPU and memory under rooms × players of bot load.",
        discussion: """
            Starts 'lockstep serve' as a child process (the executable next to this one, or --server),
            or measures any server speaking docs/PROTOCOL.md with --url, --admin-url and --admin-key.
            Each player bot sends one input per tick when the previous frame arrives; tick latency is
            the frame's receive time minus its tick's deadline from the room's announced schedule.
            --sweep runs several room counts; the answer is the largest that keeps p99 within --budget-us
            with no missed tick. Prints a table; --json, --html and --svg-dir write the reports
            (schema and method: docs/BENCHMARKS.md). Every run ends within ramp + warm-up + duration
            + start timeout + 15 s. --soak DURATION runs a long steady load instead (matches that end and
            are replaced, reconnects, spectators), samples the server and judges its memory,
            descriptors and p99 drift: exit 1 when the soak fails (docs/BENCHMARKS.md "Soak").
            """,
        options: [
            OptionSpec("--rooms", value: "N", help: "Rooms to run (with --soak: at once; default 125, half the 250 rooms measured within the 2 ms budget).", default: "10"),
            OptionSpec("--sweep", value: "LIST", help: "Comma-separated room counts, one run each (overrides --rooms)."),
            OptionSpec("--players", value: "P", help: "Players per room.", default: "4"),
            OptionSpec("--spectators", value: "S", help: "Spectators per room (with --soak: joining mid-match; default 1).", default: "0"),
            OptionSpec("--rate", value: "HZ", help: "Tick rate of the rooms.", default: "30"),
            OptionSpec("--input-delay", value: "TICKS", help: "Input delay of the rooms.", default: "2"),
            OptionSpec("--ramp", value: "S", help: "Seconds over which the rooms connect.", default: "1"),
            OptionSpec("--warmup", value: "S", help: "Seconds of play before measuring (with --soak: not judged; default a quarter of the soak).", default: "2"),
            OptionSpec("--duration", value: "S", help: "Measured seconds per run.", default: "10"),
            OptionSpec("--start-timeout", value: "S", help: "Seconds allowed for every room to start.", default: "30"),
            OptionSpec("--wait-quiet", value: "S", help: "Before each run, wait up to S seconds for other processes to go idle.", default: "0"),
            OptionSpec("--retry-busy", value: "N", help: "Run a room count again (up to N times) when other processes used CPU or the machine paused during it.", default: "0"),
            OptionSpec("--budget-us", value: "US", help: "p99 tick-latency budget of a passing run.", default: "2000"),
            OptionSpec("--client-loops", value: "N", help: "Event loops for the bots.", default: "1"),
            OptionSpec("--server-loops", value: "N", help: "Event loops of the child server.", default: "the server's"),
            OptionSpec("--server-arg", value: "ARG", help: "An extra argument for the child server (repeatable), e.g. --server-arg=--phase-slots=64."),
            OptionSpec("--server", value: "PATH", help: "The lockstep executable to start.", default: "next to this one"),
            OptionSpec("--url", value: "WS-URL", help: "Play endpoint of an external server, ws://HOST:PORT/v1/play."),
            OptionSpec("--admin-url", value: "URL", help: "Admin API of the external server, http://HOST:PORT."),
            OptionSpec("--admin-key", value: "KEY", help: "Admin key of the external server.", environment: "LOCKSTEP_ADMIN_KEY"),
            OptionSpec("--clock-offset", value: "MODE", help: "auto, ping or none: estimate the server's clock offset with PING/PONG (auto: only for a non-loopback --url).", default: "auto"),
            OptionSpec("--server-pid", value: "PID", help: "PID of the external server (same host: CPU and RSS)."),
            OptionSpec("--seed", value: "N", help: "Seed of the bots' inputs.", default: "1"),
            OptionSpec("--json", value: "FILE", help: "Write the JSON report here ('-': standard output)."),
            OptionSpec("--html", value: "FILE", help: "Write the HTML report here."),
            OptionSpec("--svg-dir", value: "DIR", help: "Write each chart as an SVG file here."),
            OptionSpec("--from-json", value: "FILE", help: "Run nothing: print the table of a saved JSON report and write its --html and --svg-dir."),
            OptionSpec("--timer-only", help: "Measure the machine's floor instead: the rooms' staggered tick timers on --server-loops loops, no sockets."),
            OptionSpec("--no-stall-witness", help: "Do not run the stall witness (a thread per CPU waking every millisecond to catch machine pauses)."),
            OptionSpec("--soak", value: "DURATION", help: "Run a soak this long (90, 90s, 20m, 1h): the steady half-capacity load below, sampled and judged."),
            OptionSpec("--sample-every", value: "S", help: "With --soak: seconds between samples.", default: "60"),
            OptionSpec("--match-seconds", value: "S", help: "With --soak: length of a match before its room ends and is replaced.", default: "60"),
            OptionSpec("--reconnect-share", value: "F", help: "With --soak: share of matches in which a player drops and resumes.", default: "0.25"),
            OptionSpec("--no-p99-verdict", help: "With --soak: report the p99 drift but do not fail on it (CI on a shared machine)."),
            OptionSpec("--quiet", help: "No progress line."),
        ])

    public static func run(_ arguments: ParsedArguments, output: CommandOutput) throws -> Int32 {
        if arguments.value("--soak") != nil { return try BenchSoakCommand.run(arguments, output: output) }
        for name in BenchSoakCommand.soakOnlyOptions where arguments.value(name) != nil {
            throw UsageError("option '\(name)' needs --soak")
        }
        for name in BenchSoakCommand.soakOnlyFlags where arguments.flag(name) {
            throw UsageError("option '\(name)' needs --soak")
        }
        if let path = arguments.value("--from-json") {
            let report: BenchReport
            do {
                report = try BenchReport.decode(try String(contentsOfFile: path, encoding: .utf8))
            } catch {
                throw CommandFailure("cannot read the report \(path): \(error)")
            }
            try write(report, arguments: arguments, output: output)
            return CommandLineTool.exitSuccess
        }
        let options = try options(from: arguments)
        if arguments.flag("--timer-only") { return try timerOnly(options, arguments: arguments, output: output) }
        let quiet = arguments.flag("--quiet")
        let progressOutput = output
        let runner = BenchRunner(options: options) { line in
            if !quiet { progressOutput.err(line) }
        }
        let report: BenchReport
        do {
            report = try runner.run(commandLine: commandLine)
        } catch {
            throw CommandFailure(String(describing: error))
        }
        try write(report, arguments: arguments, output: output)
        return report.runs.allSatisfy({ $0.latency.count > 0 }) ? CommandLineTool.exitSuccess : CommandLineTool.exitFailure
    }

    /// `--timer-only`: the same staggered tick timers as the server, no network work, one row per room count.
    private static func timerOnly(_ options: BenchOptions, arguments: ParsedArguments, output: CommandOutput) throws -> Int32 {
        var loops = 1
        if case .child(_, let serverLoops) = options.target { loops = serverLoops ?? 1 }
        output.out("timer-only floor: staggered tick timers at \(options.tickRate) Hz on \(loops) loop(s), "
            + "\(options.durationSeconds) s, lateness of each firing (µs)\n")
        output.out("rooms  firings     p50     p90     p99   p99.9      max  machine CPU %\n")
        for rooms in options.roomCounts {
            let histogram: LatencyHistogram
            let before = ProcessStats.machineCPUSeconds()
            let started = ProcessStats.ownCPUSeconds()
            do {
                histogram = try TimerFloor.measure(
                    rooms: rooms, tickRate: options.tickRate, loops: loops, seconds: options.durationSeconds)
            } catch {
                throw CommandFailure("cannot start the timer loops: \(error)")
            }
            let p = BenchResult.Percentiles(histogram)
            let cells = [p.p50, p.p90, p.p99, p.p999, p.max].map { String(format: "%7.1f", $0) }.joined(separator: " ")
            // Everything busy on the machine during the run (this process included: the timers' own cost).
            var busy = "-"
            if let before, let after = ProcessStats.machineCPUSeconds() {
                let seconds = options.durationSeconds + 1
                busy = String(format: "%.1f (own %.1f)", (after.busy - before.busy) / seconds * 100,
                              (ProcessStats.ownCPUSeconds() - started) / seconds * 100)
            }
            output.out(String(format: "%5d  %7llu ", rooms, p.count) + cells + "  " + busy + "\n")
        }
        return CommandLineTool.exitSuccess
    }

    /// Builds the options from the command line and validates them (unless `validating` is false:
    /// the soak validates what it uses itself).
    static func options(from arguments: ParsedArguments, validating: Bool = true) throws(UsageError) -> BenchOptions {
        var options = BenchOptions(target: try target(from: arguments))
        if let sweep = arguments.value("--sweep") {
            let counts = sweep.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard !counts.isEmpty, counts.allSatisfy({ $0 != nil }) else {
                throw UsageError("option '--sweep' takes comma-separated room counts, not '\(sweep)'")
            }
            options.roomCounts = counts.compactMap { $0 }
        } else if let rooms = try arguments.integer("--rooms", in: 1...5000) {
            options.roomCounts = [rooms]
        }
        options.players = try arguments.integer("--players", in: 1...16) ?? options.players
        options.spectators = try arguments.integer("--spectators", in: 0...64) ?? options.spectators
        options.tickRate = try arguments.integer("--rate", in: 1...240) ?? options.tickRate
        options.inputDelay = try arguments.integer("--input-delay", in: 0...30) ?? options.inputDelay
        options.rampSeconds = try seconds(arguments, "--ramp") ?? options.rampSeconds
        options.warmupSeconds = try seconds(arguments, "--warmup") ?? options.warmupSeconds
        options.durationSeconds = try seconds(arguments, "--duration") ?? options.durationSeconds
        options.startTimeoutSeconds = try seconds(arguments, "--start-timeout") ?? options.startTimeoutSeconds
        options.quietWaitSeconds = try seconds(arguments, "--wait-quiet") ?? options.quietWaitSeconds
        options.watchesStalls = !arguments.flag("--no-stall-witness")
        options.busyRetries = try arguments.integer("--retry-busy", in: 0...20) ?? options.busyRetries
        options.p99BudgetMicros = try seconds(arguments, "--budget-us") ?? options.p99BudgetMicros
        options.clientLoops = try arguments.integer("--client-loops", in: 1...64) ?? options.clientLoops
        options.seed = try arguments.unsigned64("--seed") ?? options.seed
        options.serverArguments = arguments.allValues("--server-arg")
        if !options.serverArguments.isEmpty, case .external = options.target {
            throw UsageError("option '--server-arg' is for a server the bench starts: leave it out with --url")
        }
        if let mode = arguments.value("--clock-offset") {
            guard let parsed = BenchOptions.ClockOffsetMode(rawValue: mode) else {
                throw UsageError("option '--clock-offset' takes auto, ping or none, not '\(mode)'")
            }
            options.clockOffset = parsed
        }
        if validating, let problem = options.validate() { throw UsageError(problem) }
        return options
    }

    private static func target(from arguments: ParsedArguments) throws(UsageError) -> BenchOptions.Target {
        guard let url = arguments.value("--url") else {
            for name in ["--admin-url", "--server-pid"] where arguments.value(name) != nil {
                throw UsageError("option '\(name)' needs --url")
            }
            let loops = try arguments.integer("--server-loops", in: 1...64)
            guard let executable = arguments.value("--server") ?? ServerProcess.siblingExecutable() else {
                throw UsageError("no lockstep executable next to this one: give --server PATH or --url")
            }
            return .child(executable: executable, serverLoops: loops)
        }
        if arguments.value("--server") != nil || arguments.value("--server-loops") != nil {
            throw UsageError("options '--server' and '--server-loops' start a server: leave them out with --url")
        }
        guard let play = BenchURL(url), play.scheme == "ws" else {
            throw UsageError("option '--url' takes ws://HOST:PORT/PATH, not '\(url)'")
        }
        let adminText = arguments.value("--admin-url") ?? "http://\(play.host):\(play.port)"
        guard let admin = BenchURL(adminText), admin.scheme == "http" else {
            throw UsageError("option '--admin-url' takes http://HOST:PORT, not '\(adminText)'")
        }
        guard let key = arguments.value("--admin-key") else { throw UsageError("--url needs --admin-key") }
        let pid = try arguments.integer("--server-pid", in: 1...Int(Int32.max)).map { Int32($0) }
        return .external(playURL: play, adminURL: admin, adminKey: key, serverPID: pid)
    }

    static func seconds(_ arguments: ParsedArguments, _ name: String) throws(UsageError) -> Double? {
        guard let text = arguments.value(name) else { return nil }
        guard let value = Double(text), value.isFinite, value >= 0 else {
            throw UsageError("option '\(name)' takes a non-negative number, not '\(text)'")
        }
        return value
    }

    private static func write(_ report: BenchReport, arguments: ParsedArguments, output: CommandOutput) throws {
        output.out(BenchTable.render(report))
        try writeFiles(
            json: { try report.json() }, html: { BenchHTMLReport.render(report) }, charts: { BenchHTMLReport.charts(report) },
            arguments: arguments, output: output)
    }

    /// Writes `--json` (`-`: standard output), `--html` and each chart into `--svg-dir`, as asked.
    static func writeFiles(
        json: () throws -> String, html: () -> String, charts: () -> [(name: String, svg: String)], arguments: ParsedArguments,
        output: CommandOutput
    ) throws {
        do {
            if let path = arguments.value("--json") {
                let text = try json()
                if path == "-" { output.out(text) } else { try text.write(toFile: path, atomically: true, encoding: .utf8) }
            }
            if let path = arguments.value("--html") {
                try html().write(toFile: path, atomically: true, encoding: .utf8)
            }
            if let directory = arguments.value("--svg-dir") {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                for chart in charts() {
                    try chart.svg.write(toFile: directory + "/" + chart.name, atomically: true, encoding: .utf8)
                }
            }
        } catch {
            throw CommandFailure("cannot write the report: \(error)")
        }
    }

    /// This process's command line, quoted for a shell, for the reports.
    static var commandLine: String {
        (["lockstep"] + CommandLine.arguments.dropFirst()).map(quoted).joined(separator: " ")
    }

    private static func quoted(_ word: String) -> String {
        word.contains(where: { " \"'$".contains($0) }) ? "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'" : word
    }
}
