import LockstepServer
import LockstepBench

/// `lockstep bench-echo`: echo round trips over many WebSocket connections (a benchmark, not a test).
public enum BenchEchoCommand: Command {
    public static let spec = CommandSpec(
        path: ["bench-echo"], summary: "Measure WebSocket echo messages/s and round-trip percentiles.",
        discussion: """
            Without --port, starts an in-process echo server on a free port with --server-loops loops.
            Each connection keeps one message in flight. Prints one key=value line.
            """,
        options: [
            OptionSpec("--host", value: "HOST", help: "Server host.", default: "127.0.0.1"),
            OptionSpec("--port", value: "PORT", help: "An already running 'lockstep serve --echo' to measure."),
            OptionSpec("--connections", value: "N", help: "Concurrent connections.", default: "1000"),
            OptionSpec("--size", value: "BYTES", help: "Payload bytes per message.", default: "32"),
            OptionSpec("--seconds", value: "S", help: "Measured seconds (after 1 s of warm-up).", default: "5"),
            OptionSpec("--client-loops", value: "N", help: "Client event loops.", default: "1"),
            OptionSpec("--server-loops", value: "N", help: "In-process server event loops.", default: "1"),
        ])

    public static func run(_ arguments: ParsedArguments, output: CommandOutput) throws -> Int32 {
        var options = EchoBenchmark.Options()
        options.host = arguments.value("--host") ?? options.host
        options.connections = try arguments.integer("--connections", in: 1...10_000) ?? options.connections
        options.messageSize = try arguments.integer("--size", in: 0...(1 << 20)) ?? options.messageSize
        options.duration = .seconds(try arguments.integer("--seconds", in: 1...600) ?? 5)
        options.clientLoops = try arguments.integer("--client-loops", in: 1...64) ?? 1
        let serverLoops = try arguments.integer("--server-loops", in: 1...64) ?? 1
        var server: Server?
        if let port = try arguments.integer("--port", in: 1...65535) {
            options.port = port
        } else {
            var configuration = ServerConfiguration()
            configuration.port = 0
            configuration.loopCount = serverLoops
            configuration.maxConnections = options.connections + 100
            let started = try Server(configuration: configuration, logger: Logger(level: .warning))
            let echo = EchoHandler()
            started.addWebSocketEndpoint("/echo") { _, _ in .accept(echo) }
            try started.start()
            options.port = started.port
            server = started
        }
        defer { server?.shutdown() }
        let report = try EchoBenchmark(options: options).run()
        output.out("bench-echo size=\(options.messageSize) client_loops=\(options.clientLoops) "
            + (server == nil ? "server=external " : "server_loops=\(serverLoops) ") + "\(report)\n")
        return report.connected == options.connections ? CommandLineTool.exitSuccess : CommandLineTool.exitFailure
    }
}
