import LockstepBench

/// `lockstep bench-timers`: lateness of many repeating loop timers (the tick clock), a benchmark.
public enum BenchTimersCommand: Command {
    public static let spec = CommandSpec(
        path: ["bench-timers"], summary: "Measure the lateness of many repeating event-loop timers.",
        discussion: "Phases are staggered across the period. Prints one key=value line.",
        options: [
            OptionSpec("--timers", value: "N", help: "Repeating timers in total.", default: "1000"),
            OptionSpec("--hz", value: "HZ", help: "Firings per second of each timer.", default: "60"),
            OptionSpec("--seconds", value: "S", help: "Measured seconds.", default: "5"),
            OptionSpec("--loops", value: "N", help: "Event loops.", default: "1"),
        ])

    public static func run(_ arguments: ParsedArguments, output: CommandOutput) throws -> Int32 {
        var options = TimerBenchmark.Options()
        options.timers = try arguments.integer("--timers", in: 1...1_000_000) ?? options.timers
        options.hertz = try arguments.integer("--hz", in: 1...10_000) ?? options.hertz
        options.duration = .seconds(try arguments.integer("--seconds", in: 1...600) ?? 5)
        options.loops = try arguments.integer("--loops", in: 1...64) ?? 1
        let report = try TimerBenchmark(options: options).run()
        output.out("bench-timers timers=\(options.timers) hz=\(options.hertz) loops=\(options.loops) \(report)\n")
        return CommandLineTool.exitSuccess
    }
}
