import LockstepCore
import LockstepEventLoop
import LockstepProtocol
import LockstepReplay
import LockstepRoom
import LockstepServer
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// `lockstep serve`: the network server plus rooms, the play endpoint, join tokens and the admin API.
///
/// Rooms are spread over the event loops round-robin, each with a tick phase from a golden-ratio
/// sequence so thousands of rooms never fire at once; a room and all its connections live on one
/// loop, so the tick path takes no lock. `Sendable`: its properties are immutable or thread-safe
/// (the network server, the directory, atomics); rooms are reached on their loops.
public final class BattleServer: Sendable {
    public let configuration: BattleConfiguration
    public let logger: Logger
    let server: Server
    let directory: RoomDirectory
    let signer: TokenSigner
    let adminKey: String
    private let roomLoopIndex = Atomic<Int>(0)
    private let stopping = Atomic<Bool>(false)
    /// Writes every room's replay off the event loops (a stalled disk must not stall a tick).
    let replayWrites: ReplayWriteQueue
    /// The simulations the server re-simulates (rooms of others are relayed).
    public let simulations: SimulationRegistry

    /// A server that will listen as `network` says and run rooms as `configuration` says.
    ///
    /// Rooms of a simulation in `simulations` are re-simulated: the server's own hash decides
    /// desyncs and is the replay's checkpoints. Rooms of any other simulation are relayed, and the
    /// players' majority decides.
    ///
    /// - Throws: `ServerStartError` when a setting is impossible.
    public init(
        network: ServerConfiguration, configuration: BattleConfiguration, logger: Logger,
        simulations: SimulationRegistry = SimulationRegistry()
    ) throws(ServerStartError) {
        self.simulations = simulations
        do {
            try configuration.validate()
        } catch {
            throw .configuration(error.description)
        }
        do {
            server = try Server(configuration: network, logger: logger)
        } catch {
            throw .configuration("\(error)")
        }
        // Rooms created without a `simulation` are of the configured default game when it is
        // registered, else of the first registered one (a studio's server runs its own game).
        var configuration = configuration
        let defaults = configuration.roomDefaults
        if simulations.entry(id: defaults.simulationID, version: defaults.simulationVersion) == nil,
            let first = simulations.entries.first
        {
            configuration.roomDefaults.simulationID = first.id
            configuration.roomDefaults.simulationVersion = first.version
        }
        self.configuration = configuration
        self.logger = logger
        replayWrites = ReplayWriteQueue(syncIntervalMillis: configuration.replayFsyncMillis)
        directory = RoomDirectory(logger: logger)
        signer = TokenSigner(secret: configuration.tokenSecret.isEmpty ? TokenSigner.randomBytes(32) : configuration.tokenSecret)
        adminKey = configuration.adminKey.isEmpty ? TokenSigner.randomBytes(16).map { Self.hex($0) }.joined() : configuration.adminKey
        let endpoint = PlayEndpoint(directory: directory, signer: signer, configuration: configuration, logger: logger)
        server.addWebSocketEndpoint(ProtocolVersion.path, subprotocols: [ProtocolVersion.subprotocol]) { request, context in
            endpoint.upgrade(request, context)
        }
        do {
            try server.setOutboundLimits(configuration.playOutboundLimits, forEndpoint: ProtocolVersion.path)
        } catch {
            throw .configuration("play outbound limits: \(error)")
        }
        AdminAPI(battle: self).install(on: server)
        let directory = directory
        server.addMetricsProvider { BattleServer.prometheus(directory) }
    }

    /// Adds the echo endpoint (`/echo`) used by the WebSocket conformance suite. Its outbound
    /// cap (`echoOutboundLimits`) holds the echo of the largest message Autobahn sends (16 MiB).
    public func addEchoEndpoint() {
        server.addWebSocketEndpoint("/echo") { _, _ in .accept(EchoHandler()) }
        try? server.setOutboundLimits(Self.echoOutboundLimits, forEndpoint: "/echo")
    }

    /// The echo endpoint's outbound limits: the server's watermarks (256 KiB, 64 KiB) and a 40 MiB cap.
    public static let echoOutboundLimits = OutboundLimits(
        highWatermark: 256 * 1024, lowWatermark: 64 * 1024, cap: 40 * 1024 * 1024)

    /// The port bound (after `start()`).
    public var port: Int { server.port }

    /// Starts the loops and listens.
    public func start() throws(ServerStartError) {
        try prepareReplayDirectory(configuration.replayDirectory)
        let interrupted = InterruptedReplay.scan(configuration.replayDirectory, logger: logger)
        directory.setInterrupted(interrupted)
        do {
            try server.start()
        } catch {
            throw .start("cannot listen on \(server.configuration.host):\(server.configuration.port): \(error)")
        }
        if let loop = server.eventLoops.first {
            RoomPruner(directory: directory, loop: loop, retentionSeconds: configuration.endedRoomRetentionSeconds).start()
        }
        let generated = configuration.adminKey.isEmpty
        logger.info("battle_server_started", [
            "port": server.port, "replays": configuration.replayDirectory,
            "admin_key": generated ? adminKey : "(configured)", "play": "ws://\(server.configuration.host):\(server.port)\(ProtocolVersion.path)",
        ])
        for replay in interrupted {
            logger.warning("replay_interrupted", ["room": replay.roomID, "path": replay.path, "bytes": replay.bytes])
        }
    }

    /// Creates a room from a `POST /v1/rooms` body (JSON), mints its tokens, and calls `completion`
    /// on the room's loop. Never blocks: the admin API answers from there, so no loop waits for another.
    func createRoom(json: [UInt8], completion: @escaping @Sendable (Result<CreatedRoom, BattleError>) -> Void) {
        let prepared: (settings: RoomSettings, playerIDs: [String], loop: EventLoop)
        do throws(BattleError) {
            prepared = try prepareRoom(json: json)
        } catch {
            completion(.failure(error))
            return
        }
        let (settings, playerIDs, loop) = prepared
        let directory = directory
        let logger = logger
        let configuration = configuration
        let signer = signer
        let replayWrites = replayWrites
        let simulations = simulations
        let create: @Sendable () -> Void = {
            let gauges = RoomGauges()
            // Claim the id first: creating a driver creates the replay file named after it (never
            // over an existing one: that is a 409), which must never be a live room's.
            guard directory.reserve(settings.roomID) else {
                completion(.failure(.badRequest("room \(settings.roomID) exists")))
                return
            }
            do throws(BattleError) {
                let driver = try RoomDriver(
                    settings: settings, playerIDs: playerIDs, loop: loop, directory: directory, logger: logger,
                    replayDirectory: configuration.replayDirectory, flushInterval: configuration.replayFlushInterval, gauges: gauges,
                    replayWrites: replayWrites, simulations: simulations)
                var entry = RoomDirectory.Entry(
                    driver: .init(driver: driver), loop: loop, gauges: gauges, replayPath: driver.replayPath,
                    createdUnix: TokenSigner.unixNow(), endedReason: nil)
                entry.simulationID = settings.simulationID
                entry.simulationVersion = settings.simulationVersion
                entry.isResimulated = simulations.entry(id: settings.simulationID, version: settings.simulationVersion) != nil
                guard directory.insert(settings.roomID, entry) else {
                    // Unreachable while the id is reserved; kept so a driver is never orphaned.
                    driver.end(.adminEnded)
                    throw .badRequest("room \(settings.roomID) exists")
                }
            } catch {
                directory.cancelReservation(settings.roomID)
                completion(.failure(error))
                return
            }
            directory.metrics.roomsCreated.add(1, ordering: .relaxed)
            let expiresAt = TokenSigner.unixNow() + configuration.tokenLifetimeSeconds
            let tokens = (0..<settings.players).map { slot in
                signer.mint(JoinToken(roomID: settings.roomID, playerID: playerIDs[slot], role: .player(PlayerSlot(UInt8(slot))), expiresAt: expiresAt))
            }
            let spectator = signer.mint(JoinToken(roomID: settings.roomID, playerID: "spectator", role: .spectator, expiresAt: expiresAt))
            logger.info("room_created", ["room": settings.roomID, "players": settings.players, "rate": settings.tickRate.rawValue, "phase_ns": settings.phaseOffsetNanos])
            completion(.success(CreatedRoom(roomID: settings.roomID, playerIDs: playerIDs, tokens: tokens, spectatorToken: spectator, expiresAt: expiresAt)))
        }
        // On the room's own loop already (always so with one loop): running it now is what the queue would do.
        if loop.inEventLoop { create() } else { loop.execute(create) }
    }

    /// Validates a creation request and picks the room's loop and tick phase.
    private func prepareRoom(json: [UInt8]) throws(BattleError) -> (settings: RoomSettings, playerIDs: [String], loop: EventLoop) {
        guard !stopping.load(ordering: .relaxed) else { throw .unavailable("the server is shutting down") }
        let loops = server.eventLoops
        guard !loops.isEmpty else { throw .unavailable("the server is not running") }
        guard directory.liveCount < configuration.maxRooms else { throw .limitReached("\(configuration.maxRooms) rooms") }
        let rate = UInt64(max(1, min(240, configuration.roomDefaults.tickRate)))
        let period = 1_000_000_000 / rate
        let (index, phase) = directory.nextPhase(period: period, slots: configuration.effectivePhaseSlots(period: period))
        let generatedID = "room-\(index)-\(TokenSigner.randomBytes(4).map { Self.hex($0) }.joined())"
        var request = try RoomRequest(
            json: json, defaults: configuration.roomDefaults, roomID: generatedID, phaseOffsetNanos: 0, simulations: simulations)
        request.settings.phaseOffsetNanos = phase % request.settings.tickRate.periodNanoseconds
        let loop = loops[roomLoopIndex.add(1, ordering: .relaxed).newValue % loops.count]
        return (request.settings, request.playerIDs, loop)
    }

    /// Plays `ticks` ticks of a running room at once on its loop, each slot's input from `input`,
    /// and re-anchors its schedule; calls `completion` when done (`false`: no such room). Tests
    /// only: a match tens of thousands of ticks long without playing it in real time.
    @_spi(Testing)
    public func fastForward(
        room roomID: String, ticks: Int, input: @escaping @Sendable (Tick, PlayerSlot) -> [UInt8],
        completion: @escaping @Sendable (Bool) -> Void
    ) {
        guard let entry = directory.entry(roomID) else {
            completion(false)
            return
        }
        let reference = entry.driver
        entry.loop.execute {
            reference.driver.fastForward(ticks: ticks, input: input)
            completion(true)
        }
    }

    /// Mints a token with this server's secret (for tests and tools in the same process).
    public func mintToken(_ token: JoinToken) -> String { signer.mint(token) }

    /// Stops gracefully: no new rooms, every match ended with `serverShutdown` (clients get the
    /// event and a 1001 close), every replay finalised, then the network server stops.
    public func shutdown() {
        stopping.store(true, ordering: .relaxed)
        let rooms = directory.all()
        let remaining = Atomic<Int>(rooms.count)
        let roomEnded = ConditionSignal()
        for (_, entry) in rooms {
            let reference = entry.driver
            entry.loop.execute {
                reference.driver.end(.serverShutdown)
                remaining.subtract(1, ordering: .releasing)
                roomEnded.signal()
            }
        }
        // Wakes at each ended room; gives up after 5 s (a loop that stopped drops its tasks).
        roomEnded.wait(until: MonotonicInstant.now() + .seconds(5)) { remaining.load(ordering: .acquiring) == 0 }
        logger.info("rooms_ended_for_shutdown", ["rooms": rooms.count])
        server.shutdown()
        // Every replay's last writes and close are queued by now: finish them before returning.
        replayWrites.waitUntilWritten()
    }

    static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 15)]])
    }

    /// Creates the replay directory if missing and checks that a file can be created in it, so
    /// a server that could not write a single replay refuses to start instead of refusing rooms.
    private func prepareReplayDirectory(_ path: String) throws(ServerStartError) {
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/") {
            prefix += component + "/"
            if mkdir(prefix, 0o755) != 0 && errno != EEXIST {
                throw .start("cannot create the replay directory \(path): \(String(cString: strerror(errno)))")
            }
        }
        let probe = path + "/.lockstep-write-probe-\(getpid())"
        let fd = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw .start("cannot write in the replay directory \(path): \(String(cString: strerror(errno)))")
        }
        close(fd)
        unlink(probe)
    }
}

/// What `createRoom` returns: the room's id and its tokens.
struct CreatedRoom {
    var roomID: String
    var playerIDs: [String]
    var tokens: [String]
    var spectatorToken: String
    var expiresAt: UInt64
}

/// Why the battle server cannot start.
public enum ServerStartError: Error, CustomStringConvertible {
    case configuration(String)
    case start(String)

    public var description: String {
        switch self {
        case .configuration(let why): "bad configuration: \(why)"
        case .start(let why): "cannot start: \(why)"
        }
    }
}
