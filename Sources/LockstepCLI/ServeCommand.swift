import Foundation
import LockstepAgones
import LockstepBattleServer
import LockstepCore
import LockstepEventLoop
import LockstepServer
import LockstepWeb

#if canImport(Glibc)
import Glibc
#endif

/// `lockstep serve`: runs the battle server until SIGINT or SIGTERM.
public enum ServeCommand: Command {
    public static let spec = CommandSpec(
        path: ["serve"], summary: "Run the battle server: rooms, the play endpoint, the admin API.",
        discussion: """
            Settings come from flags, then LOCKSTEP_* environment variables, then the JSON file given
            with --config (keys are the option names without dashes), then the defaults.
            Endpoints: ws://HOST:PORT/v1/play (subprotocol lockstep.v1), POST/GET /v1/rooms (admin,
            Authorization: Bearer KEY), POST /v1/quickmatch, GET /v1/public/rooms, GET /v1/replays
            (admin key, or public when --public-quickmatch allows), GET /healthz, GET /metrics, and
            the web pages at / (from Lockstep_LockstepWeb.resources beside the executable, or
            --web-root). With --echo, /echo echoes every
            message (conformance tests; message limit 16 MiB).
            SIGINT or SIGTERM stops gracefully: matches end (reason server-shutdown), replays are
            finalised, WebSockets close with 1001. With --drain-timeout (or --agones, or --cluster), the first
            SIGINT or SIGTERM drains instead: no new rooms (503), running matches go on to their
            end (after the timeout they end with reason server-drain-timeout), then the server
            stops and exits 0; a second signal stops at once. POST /v1/drain (admin) drains too.
            With --cluster redis://HOST:PORT, the server is a node of a cluster: rooms created on
            any node are placed on the one with the most free slots (docs/CLUSTER.md).
            See docs/OPERATIONS.md.
            """,
        options: [
            OptionSpec("--host", value: "HOST", help: "Address to listen on.", default: "127.0.0.1", environment: "LOCKSTEP_HOST"),
            OptionSpec("--port", value: "PORT", help: "Port to listen on (0 picks a free one).", default: "8080", environment: "LOCKSTEP_PORT"),
            OptionSpec("--config", value: "FILE", help: "JSON settings file (lowest precedence).", environment: "LOCKSTEP_CONFIG"),
            OptionSpec("--replays", value: "DIR", help: "Where match replays are written.", default: "Replays/live", environment: "LOCKSTEP_REPLAYS"),
            OptionSpec("--admin-key", value: "KEY", help: "Key for the admin API (generated and logged if empty).", environment: "LOCKSTEP_ADMIN_KEY"),
            OptionSpec("--token-secret", value: "SECRET", help: "HMAC secret for join tokens (random per process if empty).", environment: "LOCKSTEP_TOKEN_SECRET"),
            OptionSpec("--token-lifetime-s", value: "S", help: "Lifetime of minted tokens.", default: "3600", environment: "LOCKSTEP_TOKEN_LIFETIME_S"),
            OptionSpec("--max-rooms", value: "N", help: "Rooms at once.", default: "1000", environment: "LOCKSTEP_MAX_ROOMS"),
            OptionSpec("--max-connections", value: "N", help: "Connections at once (16 more may ask /healthz and /metrics; other requests get 503).", default: "10000", environment: "LOCKSTEP_MAX_CONNECTIONS"),
            OptionSpec("--outbound-budget-mib", value: "MIB|auto", help: "Bytes all outbound queues may hold together; past it the connections holding the most are closed (auto: a quarter of the cgroup memory limit or of RAM, at least 64).", default: "auto", environment: "LOCKSTEP_OUTBOUND_BUDGET_MIB"),
            OptionSpec("--play-outbound-cap-kib", value: "KIB", help: "Outbound queue cap of a play connection: a player this far behind is closed as a slow reader (1008).", default: "1024", environment: "LOCKSTEP_PLAY_OUTBOUND_CAP_KIB"),
            OptionSpec("--max-connections-per-address", value: "N", help: "Connections per client IP address (more are closed at accept).", default: "256", environment: "LOCKSTEP_MAX_CONNECTIONS_PER_ADDRESS"),
            OptionSpec("--messages-per-second", value: "N", help: "Sustained messages per connection (token bucket).", default: "120", environment: "LOCKSTEP_MESSAGES_PER_SECOND"),
            OptionSpec("--message-burst", value: "N", help: "Burst size of the token bucket.", default: "240", environment: "LOCKSTEP_MESSAGE_BURST"),
            OptionSpec("--replay-flush-ticks", value: "N", help: "Ticks between replay writes.", default: "30", environment: "LOCKSTEP_REPLAY_FLUSH_TICKS"),
            OptionSpec("--replay-fsync-ms", value: "N", help: "Sync replay writes to disk within N ms (0: at match end only).", default: "0", environment: "LOCKSTEP_REPLAY_FSYNC_MS"),
            OptionSpec("--default-tick-rate", value: "HZ", help: "Tick rate of rooms that do not set one.", default: "30", environment: "LOCKSTEP_DEFAULT_TICK_RATE"),
            OptionSpec("--phase-slots", value: "N|auto", help: "Round room tick phases to N instants per period, so rooms sharing one fire in one wake-up (0, the default: every room its own instant, grouped by --tick-window-us instead; auto: one per 500 µs, 66 at 30 Hz).", default: "0", environment: "LOCKSTEP_PHASE_SLOTS"),
            OptionSpec("--tick-window-us", value: "US", help: "Timers due within US microseconds of the earliest fire in one wake-up (none early, none more than US late; 0: each at its own deadline).", default: "200", environment: "LOCKSTEP_TICK_WINDOW_US"),
            OptionSpec("--batch-window-us", value: "US", help: "When the next timer is at most US microseconds away, sleep until it and read what arrived meanwhile in that wake-up, due rooms first (0: wake for every event).", default: "500", environment: "LOCKSTEP_BATCH_WINDOW_US"),
            OptionSpec("--allowed-origins", value: "LIST", help: "Comma-separated Origin values accepted on WebSocket upgrades; others get 403 (default: any origin).", environment: "LOCKSTEP_ALLOWED_ORIGINS"),
            OptionSpec("--web-root", value: "DIR", help: "Serve the web pages from DIR instead of those installed beside the executable.", environment: "LOCKSTEP_WEB_ROOT"),
            OptionSpec("--no-web", help: "Serve no web pages (every other path is 404).", environment: "LOCKSTEP_NO_WEB"),
            OptionSpec("--public-quickmatch", value: "on|off|auto", help: "Let pages start quick matches, list rooms to watch and download replays without the admin key (auto: on only when --host is a loopback address).", default: "auto", environment: "LOCKSTEP_PUBLIC_QUICKMATCH"),
            OptionSpec("--public-max-rooms", value: "N", help: "Rooms public quick matches may have running at once (more get 429).", default: "16", environment: "LOCKSTEP_PUBLIC_MAX_ROOMS"),
            OptionSpec("--public-quickmatch-per-minute", value: "N", help: "Public quick matches one client address may start per minute (more get 429).", default: "6", environment: "LOCKSTEP_PUBLIC_QUICKMATCH_PER_MINUTE"),
            OptionSpec("--public-quickmatch-burst", value: "N", help: "Public quick matches one client address may start at once.", default: "3", environment: "LOCKSTEP_PUBLIC_QUICKMATCH_BURST"),
            OptionSpec("--drain-timeout", value: "SECONDS", help: "Drain on SIGINT/SIGTERM instead of stopping at once, ending matches still running after SECONDS (also the timeout of POST /v1/drain).", default: "600 for POST /v1/drain and --agones; without either, signals stop at once", environment: "LOCKSTEP_DRAIN_TIMEOUT"),
            OptionSpec("--agones", help: "Run as an Agones GameServer: ready, health, the rooms Counter, the players List, drain on SIGTERM, shutdown when drained (docs/DEPLOY.md).", environment: "LOCKSTEP_AGONES"),
            OptionSpec("--agones-sdk-port", value: "PORT", help: "The Agones SDK sidecar's REST port on 127.0.0.1.", default: "9358", environment: "AGONES_SDK_HTTP_PORT"),
            OptionSpec("--echo", help: "Also serve the /echo WebSocket endpoint.", environment: "LOCKSTEP_ECHO"),
            OptionSpec("--loops", value: "N", help: "Event loop threads.", default: "one per core", environment: "LOCKSTEP_LOOPS"),
            OptionSpec("--log-level", value: "LEVEL", help: "trace, debug, info, warning or error.", default: "info", environment: "LOCKSTEP_LOG_LEVEL"),
            OptionSpec("--handshake-timeout-ms", value: "MS", help: "Time allowed for a complete request.", default: "10000", environment: "LOCKSTEP_HANDSHAKE_TIMEOUT_MS"),
            OptionSpec("--idle-timeout-ms", value: "MS", help: "Close WebSockets quiet this long (1001); their players are marked disconnected.", default: "60000", environment: "LOCKSTEP_IDLE_TIMEOUT_MS"),
            OptionSpec("--ping-interval-ms", value: "MS", help: "Ping WebSockets quiet this long.", default: "20000", environment: "LOCKSTEP_PING_INTERVAL_MS"),
        ] + ClusterOptions.specs)

    public static func run(_ arguments: ParsedArguments, output: CommandOutput) throws -> Int32 {
        var arguments = arguments
        if let path = arguments.value("--config") { try arguments.addConfigFile(try ConfigFile.load(path)) }
        var network = try networkConfiguration(from: arguments)
        var battle = try battleConfiguration(from: arguments)
        let agones = try agonesConfiguration(from: arguments)
        // Raise the descriptor limit first; on the defaults, fit the room and connection limits
        // to it (a machine whose hard limit is low still starts); limits the operator set that
        // cannot fit are refused below.
        let limit = OpenFileLimit.raiseToHardLimit()
        var fitted: DescriptorBudget.Fitted?
        if arguments.value("--max-rooms") == nil, arguments.value("--max-connections") == nil {
            fitted = DescriptorBudget.fit(configuration: &battle, network: &network, to: limit)
        }
        let levelName = arguments.value("--log-level") ?? "info"
        guard let level = LogLevel(name: levelName) else {
            throw UsageError("option '--log-level' takes trace, debug, info, warning or error, not '\(levelName)'")
        }
        let logger = Logger(level: level)
        let server: BattleServer
        do {
            server = try BattleServer(
                network: network, configuration: battle, logger: logger, simulations: arguments.simulations)
        } catch {
            throw UsageError(error.description)
        }
        if arguments.flagOrSetting("--echo") { server.addEchoEndpoint() }
        if !arguments.flagOrSetting("--no-web") {
            StaticSite.locate(override: arguments.value("--web-root"), logger: logger).install(on: server.network)
        }
        let cluster = try ClusterOptions.node(from: arguments, battle: server, network: network, logger: logger)
        if let fitted {
            logger.warning("limits_fitted_to_descriptors", [
                "max_rooms": fitted.maxRooms, "max_connections": fitted.maxConnections, "nofile": limit.soft,
            ])
        }
        // Block the signals before the loop threads start, so only the signal thread receives them.
        ServeLifetime.blockSignals()
        // A reader of our log that went away must not kill the server: writes to it fail with
        // EPIPE instead (sockets already send with MSG_NOSIGNAL).
        signal(SIGPIPE, SIG_IGN)
        let lifetime = ServeLifetime()
        server.addObserver(lifetime)
        // A cluster or Agones node drains on SIGTERM whatever the flags: it leaves without cutting a match.
        let drainsOnSignal = arguments.value("--drain-timeout") != nil || agones != nil || cluster != nil
        // Start-up failures (port in use, replay directory not writable, descriptor limit) are
        // failures (exit 1), not usage errors.
        do {
            try DescriptorBudget(configuration: battle, network: network).check(against: limit)
            try server.start()
        } catch {
            throw CommandFailure(error.description)
        }
        cluster?.start(port: server.port)
        output.out("listening on \(network.host):\(server.port)\n")
        if !arguments.flagOrSetting("--no-web") {
            let host = network.host.contains(":") ? "[\(network.host)]" : network.host
            output.out("web pages on http://\(host):\(server.port)/\n")
        }
        // Told once listening; it retries until the sidecar answers.
        let agent = agones.map { AgonesAgent(configuration: $0, logger: logger) }
        agent?.start(observing: server)
        let drainTimeout = battle.drainTimeoutSeconds
        ServeLifetime.watchSignals { signal, count in
            logger.info("signal_received", ["signal": signal == SIGINT ? "SIGINT" : "SIGTERM", "count": count])
            if drainsOnSignal && count == 1 {
                server.drain(timeoutSeconds: drainTimeout)
            } else {
                lifetime.finish(.stopNow)
            }
        }
        let ending = lifetime.wait()
        logger.info("serve_ending", ["why": ending == .drained ? "drained" : "signal"])
        server.shutdown()
        // Its last calls (the counts, POST /shutdown) go out before the process exits.
        agent?.stop()
        cluster?.node.stop()
        return CommandLineTool.exitSuccess
    }

    /// `serve`'s wake-up defaults: every room on its own phase, ticks due within 200 µs of each
    /// other in one wake-up, input arriving within 500 µs of the next tick read in its wake-up.
    /// The setting that met issue 11's four targets best (docs/BENCHMARKS.md); the library's
    /// own defaults (`BattleConfiguration`, `WakeupPolicy.immediate`) stay the plain ones.
    static let defaultPhaseSlots = 0
    static let defaultTickWindowMicros = 200
    static let defaultBatchWindowMicros = 500

    static func battleConfiguration(from arguments: ParsedArguments) throws -> BattleConfiguration {
        var configuration = BattleConfiguration()
        configuration.replayDirectory = arguments.value("--replays") ?? configuration.replayDirectory
        configuration.adminKey = arguments.value("--admin-key") ?? ""
        configuration.tokenSecret = Array((arguments.value("--token-secret") ?? "").utf8)
        configuration.tokenLifetimeSeconds = UInt64(try arguments.integer("--token-lifetime-s", in: 1...31_536_000) ?? 3600)
        configuration.maxRooms = try arguments.integer("--max-rooms", in: 1...1_000_000) ?? configuration.maxRooms
        configuration.messagesPerSecond = try arguments.integer("--messages-per-second", in: 1...1_000_000) ?? configuration.messagesPerSecond
        configuration.messageBurst = try arguments.integer("--message-burst", in: 1...1_000_000) ?? configuration.messageBurst
        configuration.replayFlushInterval = try arguments.integer("--replay-flush-ticks", in: 1...100_000) ?? configuration.replayFlushInterval
        configuration.replayFsyncMillis = try arguments.integer("--replay-fsync-ms", in: 0...3_600_000) ?? configuration.replayFsyncMillis
        configuration.roomDefaults.tickRate = try arguments.integer("--default-tick-rate", in: 1...240) ?? configuration.roomDefaults.tickRate
        if let capKiB = try arguments.integer("--play-outbound-cap-kib", in: 16...1_048_576) {
            let cap = capKiB * 1024
            let high = min(configuration.playOutboundLimits.highWatermark, cap)
            configuration.playOutboundLimits = OutboundLimits(highWatermark: high, lowWatermark: high / 4, cap: cap)
        }
        if let text = arguments.value("--public-quickmatch") {
            guard let access = PublicAccess(rawValue: text.lowercased()) else {
                throw UsageError("option '--public-quickmatch' takes on, off or auto, not '\(text)'")
            }
            configuration.publicAccess = access
        }
        configuration.publicMaxRooms = try arguments.integer("--public-max-rooms", in: 0...1_000_000) ?? configuration.publicMaxRooms
        configuration.publicQuickMatchesPerMinute =
            try arguments.integer("--public-quickmatch-per-minute", in: 1...1_000_000) ?? configuration.publicQuickMatchesPerMinute
        configuration.publicQuickMatchBurst =
            try arguments.integer("--public-quickmatch-burst", in: 1...1_000_000) ?? configuration.publicQuickMatchBurst
        if arguments.value("--drain-timeout") != nil {
            configuration.drainTimeoutSeconds = try arguments.integer("--drain-timeout", in: 0...604_800)
        }
        switch arguments.value("--phase-slots") {
        case "auto": configuration.phaseSlots = nil
        // The default: no fixed slots, the tick window groups the rooms (docs/BENCHMARKS.md).
        case nil: configuration.phaseSlots = Self.defaultPhaseSlots
        default: configuration.phaseSlots = try arguments.integer("--phase-slots", in: 0...1_000_000)
        }
        return configuration
    }

    /// `--agones` and its port, or `nil` without `--agones`.
    static func agonesConfiguration(from arguments: ParsedArguments) throws(UsageError) -> AgonesConfiguration? {
        guard arguments.flagOrSetting("--agones") else { return nil }
        var configuration = AgonesConfiguration()
        configuration.sdkPort = try arguments.integer("--agones-sdk-port", in: 1...65535) ?? configuration.sdkPort
        return configuration
    }

    /// `--allowed-origins`: a comma-separated list (spaces around entries ignored), or `nil` for any origin.
    static func allowedOrigins(from arguments: ParsedArguments) throws(UsageError) -> [String]? {
        guard let text = arguments.value("--allowed-origins") else { return nil }
        let origins = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !origins.isEmpty else {
            throw UsageError("option '--allowed-origins' takes one or more origins separated by commas, e.g. https://game.example")
        }
        return origins
    }

    static func networkConfiguration(from arguments: ParsedArguments) throws -> ServerConfiguration {
        var configuration = ServerConfiguration()
        configuration.host = arguments.value("--host") ?? configuration.host
        configuration.port = try arguments.integer("--port", in: 0...65535) ?? configuration.port
        configuration.loopCount = try arguments.integer("--loops", in: 1...256)
        let tickWindow = try arguments.integer("--tick-window-us", in: 0...100_000) ?? Self.defaultTickWindowMicros
        configuration.wakeups.tickWindowNanoseconds = UInt64(tickWindow) * 1000
        let batchWindow = try arguments.integer("--batch-window-us", in: 0...100_000) ?? Self.defaultBatchWindowMicros
        configuration.wakeups.batchWindowNanoseconds = UInt64(batchWindow) * 1000
        configuration.maxConnections = try arguments.integer("--max-connections", in: 1...1_000_000) ?? configuration.maxConnections
        func milliseconds(_ name: String, _ fallback: Duration) throws -> Duration {
            try arguments.integer(name, in: 1...86_400_000).map { .milliseconds($0) } ?? fallback
        }
        configuration.handshakeTimeout = try milliseconds("--handshake-timeout-ms", configuration.handshakeTimeout)
        configuration.idleTimeout = try milliseconds("--idle-timeout-ms", configuration.idleTimeout)
        configuration.pingInterval = try milliseconds("--ping-interval-ms", configuration.pingInterval)
        configuration.allowedOrigins = try allowedOrigins(from: arguments)
        configuration.maxConnectionsPerAddress =
            try arguments.integer("--max-connections-per-address", in: 1...1_000_000) ?? BattleConfiguration.defaultMaxConnectionsPerAddress
        if arguments.value("--outbound-budget-mib") == "auto" || arguments.value("--outbound-budget-mib") == nil {
            configuration.outboundBudgetBytes = MemoryLimit.defaultOutboundBudget(memoryBytes: MemoryLimit.bytes())
        } else {
            let mebibytes = try arguments.integer("--outbound-budget-mib", in: 1...16_777_216)
            configuration.outboundBudgetBytes = mebibytes.map { $0 * 1024 * 1024 }
        }
        if arguments.flagOrSetting("--echo") {
            // Autobahn's largest cases send 16 MiB messages; the echo endpoint accepts them (its
            // outbound cap is set on the endpoint: `BattleServer.addEchoEndpoint`).
            configuration.maxFrameSize = 16 * 1024 * 1024
            configuration.maxMessageSize = 16 * 1024 * 1024
            configuration.connection.maxReadBufferSize = 16 * 1024 * 1024 + 64 * 1024
        }
        do {
            try configuration.validate()
        } catch {
            throw UsageError(error.message)
        }
        return configuration
    }
}
