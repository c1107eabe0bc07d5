import LockstepCore
import LockstepServer

#if canImport(Glibc)
import Glibc
#endif

/// `lockstep serve`: runs the HTTP/WebSocket server until SIGINT or SIGTERM.
public enum ServeCommand: Command {
    public static let spec = CommandSpec(
        path: ["serve"], summary: "Run the server (HTTP admin and WebSocket endpoints).",
        discussion: """
            Built-in routes: GET /healthz, GET /metrics (Prometheus text). With --echo, ws://HOST:PORT/echo
            echoes every message (for conformance tests and benchmarks; message limit 16 MiB).
            SIGINT or SIGTERM stops gracefully: no new connections, WebSockets closed with 1001.
            """,
        options: [
            OptionSpec("--host", value: "HOST", help: "Address to listen on.", default: "127.0.0.1", environment: "LOCKSTEP_HOST"),
            OptionSpec("--port", value: "PORT", help: "Port to listen on (0 picks a free one).", default: "8080", environment: "LOCKSTEP_PORT"),
            OptionSpec("--echo", help: "Serve the /echo WebSocket endpoint."),
            OptionSpec("--loops", value: "N", help: "Event loop threads.", default: "one per core", environment: "LOCKSTEP_LOOPS"),
            OptionSpec("--log-level", value: "LEVEL", help: "trace, debug, info, warning or error.", default: "info", environment: "LOCKSTEP_LOG_LEVEL"),
            OptionSpec("--handshake-timeout-ms", value: "MS", help: "Time allowed for a complete request.", default: "10000"),
            OptionSpec("--idle-timeout-ms", value: "MS", help: "Close WebSockets quiet this long (1001).", default: "60000"),
            OptionSpec("--ping-interval-ms", value: "MS", help: "Ping WebSockets quiet this long.", default: "20000"),
        ])

    public static func run(_ arguments: ParsedArguments, output: CommandOutput) throws -> Int32 {
        let configuration = try configuration(from: arguments)
        let levelName = arguments.value("--log-level") ?? "info"
        guard let level = LogLevel(name: levelName) else {
            throw UsageError("option '--log-level' takes trace, debug, info, warning or error, not '\(levelName)'")
        }
        let logger = Logger(level: level)
        let server: Server
        do {
            server = try Server(configuration: configuration, logger: logger)
        } catch {
            throw UsageError(error.message)
        }
        if arguments.flag("--echo") {
            let echo = EchoHandler()
            server.addWebSocketEndpoint("/echo") { _, _ in .accept(echo) }
        }
        // Block the signals before the loop threads start, so only this thread receives them.
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGINT)
        sigaddset(&signals, SIGTERM)
        pthread_sigmask(SIG_BLOCK, &signals, nil)
        do {
            try server.start()
        } catch {
            throw CommandFailure("cannot listen on \(configuration.host):\(configuration.port): \(error)")
        }
        output.out("listening on \(configuration.host):\(server.port)\n")
        var received: Int32 = 0
        sigwait(&signals, &received)
        logger.info("signal_received", ["signal": received == SIGINT ? "SIGINT" : "SIGTERM"])
        server.shutdown()
        return CommandLineTool.exitSuccess
    }

    static func configuration(from arguments: ParsedArguments) throws -> ServerConfiguration {
        var configuration = ServerConfiguration()
        configuration.host = arguments.value("--host") ?? configuration.host
        configuration.port = try arguments.integer("--port", in: 0...65535) ?? configuration.port
        configuration.loopCount = try arguments.integer("--loops", in: 1...256)
        func milliseconds(_ name: String, _ fallback: Duration) throws -> Duration {
            try arguments.integer(name, in: 1...86_400_000).map { .milliseconds($0) } ?? fallback
        }
        configuration.handshakeTimeout = try milliseconds("--handshake-timeout-ms", configuration.handshakeTimeout)
        configuration.idleTimeout = try milliseconds("--idle-timeout-ms", configuration.idleTimeout)
        configuration.pingInterval = try milliseconds("--ping-interval-ms", configuration.pingInterval)
        if arguments.flag("--echo") {
            // Autobahn's largest cases send 16 MiB messages; the echo endpoint accepts them.
            configuration.maxFrameSize = 16 * 1024 * 1024
            configuration.maxMessageSize = 16 * 1024 * 1024
            configuration.connection.maxReadBufferSize = 16 * 1024 * 1024 + 64 * 1024
            configuration.connection.outboundCap = 40 * 1024 * 1024
            configuration.connection.outboundHighWatermark = 17 * 1024 * 1024
        }
        do {
            try configuration.validate()
        } catch {
            throw UsageError(error.message)
        }
        return configuration
    }
}
