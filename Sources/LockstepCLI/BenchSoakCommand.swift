import LockstepBench

/// `lockstep bench --soak DURATION`: the long steady load, its samples and its verdict.
enum BenchSoakCommand {
    /// Options that mean something only with `--soak`.
    static let soakOnlyOptions = ["--sample-every", "--match-seconds", "--reconnect-share"]
    /// Flags that mean something only with `--soak`.
    static let soakOnlyFlags = ["--no-p99-verdict"]
    /// Options of a measured bench run that a soak does not take.
    static let benchOnlyOptions = [
        "--sweep", "--duration", "--from-json", "--wait-quiet", "--retry-busy", "--start-timeout",
    ]

    static func run(_ arguments: ParsedArguments, output: CommandOutput) throws -> Int32 {
        let options = try options(from: arguments)
        let quiet = arguments.flag("--quiet")
        let progressOutput = output
        let runner = SoakRunner(options: options) { line in
            if !quiet { progressOutput.err(line) }
        }
        let report: SoakReport
        do {
            report = try runner.run(commandLine: BenchCommand.commandLine)
        } catch {
            throw CommandFailure(String(describing: error))
        }
        output.out(SoakTable.render(report))
        try BenchCommand.writeFiles(
            json: { try report.json() }, html: { SoakHTMLReport.render(report) },
            charts: { SoakHTMLReport.charts(report) },
            arguments: arguments, output: output)
        return report.verdict.passed ? CommandLineTool.exitSuccess : CommandLineTool.exitFailure
    }

    /// Builds and validates the soak's options from the command line.
    static func options(from arguments: ParsedArguments) throws(UsageError) -> SoakOptions {
        for name in benchOnlyOptions where arguments.value(name) != nil {
            throw UsageError("option '\(name)' is for a measured run: leave it out with --soak")
        }
        if arguments.flag("--timer-only") {
            throw UsageError("option '--timer-only' is for a measured run: leave it out with --soak")
        }
        let text = arguments.value("--soak") ?? ""
        guard let duration = parseDuration(text) else {
            throw UsageError("option '--soak' takes a duration such as 90, 90s, 20m or 1h, not '\(text)'")
        }
        var bench = try BenchCommand.options(from: arguments, validating: false)
        if arguments.value("--spectators") == nil { bench.spectators = 1 }
        var options = SoakOptions(bench: bench, durationSeconds: duration)
        options.rooms = try arguments.integer("--rooms", in: 1...5000) ?? SoakOptions.defaultRooms
        options.warmupSeconds = try BenchCommand.seconds(arguments, "--warmup")
        options.sampleEverySeconds = try BenchCommand.seconds(arguments, "--sample-every") ?? options.sampleEverySeconds
        options.matchSeconds = try BenchCommand.seconds(arguments, "--match-seconds") ?? options.matchSeconds
        options.reconnectShare = try BenchCommand.seconds(arguments, "--reconnect-share") ?? options.reconnectShare
        options.thresholds.judgesP99Drift = !arguments.flag("--no-p99-verdict")
        if let problem = options.validate() { throw UsageError(problem) }
        return options
    }

    /// Seconds in `text`: a number with an optional unit `s`, `m` or `h`; `nil` when it is not one.
    static func parseDuration(_ text: String) -> Double? {
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600]
        var number = Substring(text)
        var scale = 1.0
        if let last = text.last, let unit = units[last] {
            number = number.dropLast()
            scale = unit
        }
        guard let value = Double(number), value.isFinite, value > 0 else { return nil }
        return value * scale
    }
}
