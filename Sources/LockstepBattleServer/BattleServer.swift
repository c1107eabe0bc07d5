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
    /// Live rooms and players, the server's state (serving, draining, ...), and the observers.
    let lifecycle: RoomLifecycle
    /// Writes every room's replay off the event loops (a stalled disk must not stall a tick).
    let replayWrites: ReplayWriteQueue
    /// The simulations the server re-simulates (rooms of others are relayed).
    public let simulations: SimulationRegistry
    /// Whether pages may use the quick-match, room-listing and replay endpoints without the admin
    /// key (`configuration.publicAccess` resolved against the address listened on).
    public let publicAccessAllowed: Bool
    /// Public quick matches per address.
    let quickMatchLimiter: AddressRateLimiter
    /// The finished matches' replays.
    let replays: ReplayCatalog
    /// The cluster this server is a node of, if any (`attachCluster`).
    let cluster = ClusterLink()

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
        publicAccessAllowed = configuration.publicAccess.allows(host: network.host)
        quickMatchLimiter = AddressRateLimiter(
            perMinute: configuration.publicQuickMatchesPerMinute, burst: configuration.publicQuickMatchBurst)
        replays = ReplayCatalog(directory: configuration.replayDirectory)
        lifecycle = RoomLifecycle(maxRooms: configuration.maxRooms)
        lifecycle.add(ServerStateLog(logger: logger))
        replayWrites = ReplayWriteQueue(syncIntervalMillis: configuration.replayFsyncMillis)
        directory = RoomDirectory(logger: logger)
        signer = TokenSigner(secret: configuration.tokenSecret.isEmpty ? TokenSigner.randomBytes(32) : configuration.tokenSecret)
        adminKey = configuration.adminKey.isEmpty ? TokenSigner.randomBytes(16).map { Self.hex($0) }.joined() : configuration.adminKey
        let endpoint = PlayEndpoint(directory: directory, signer: signer, configuration: configuration, logger: logger, cluster: cluster)
        server.addWebSocketEndpoint(ProtocolVersion.path, subprotocols: [ProtocolVersion.subprotocol]) { request, context in
            endpoint.upgrade(request, context)
        }
        do {
            try server.setOutboundLimits(configuration.playOutboundLimits, forEndpoint: ProtocolVersion.path)
        } catch {
            throw .configuration("play outbound limits: \(error)")
        }
        AdminAPI(battle: self).install(on: server)
        PublicAPI(battle: self).install(on: server)
        let directory = directory
        server.addMetricsProvider { BattleServer.prometheus(directory) }
        let lifecycle = lifecycle
        server.addMetricsProvider { lifecycle.prometheus() }
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

    /// The network server under it: to add routes (the web pages) before `start()`.
    public var network: Server { server }

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
            "public_access": publicAccessAllowed ? "on" : "off",
        ])
        for replay in interrupted {
            logger.warning("replay_interrupted", ["room": replay.roomID, "path": replay.path, "bytes": replay.bytes])
        }
    }

    /// Creates a room from a `POST /v1/rooms` body (JSON), mints its tokens, and calls `completion`
    /// on the room's loop. Never blocks: the admin API answers from there, so no loop waits for another.
    ///
    /// - Parameters:
    ///   - placedID: the id a cluster reserved for the room (`nil`: the body's or a new one).
    ///   - isPublic: a public quick match's room, whose claim on `publicMaxRooms` the caller
    ///     holds: released when the room ends, or here when it cannot be made.
    func createRoom(
        json: [UInt8], placedID: String? = nil, isPublic: Bool = false,
        completion: @escaping @Sendable (Result<CreatedRoom, BattleError>) -> Void
    ) {
        let directory = directory
        let completion: @Sendable (Result<CreatedRoom, BattleError>) -> Void = { result in
            if isPublic, case .failure = result { directory.releasePublicRoom() }
            completion(result)
        }
        let prepared: (settings: RoomSettings, playerIDs: [String], loop: EventLoop)
        do throws(BattleError) {
            prepared = try prepareRoom(json: json, placedID: placedID)
        } catch {
            completion(.failure(error))
            return
        }
        let (settings, playerIDs, loop) = prepared
        let logger = logger
        let configuration = configuration
        let signer = signer
        let replayWrites = replayWrites
        let simulations = simulations
        let lifecycle = lifecycle
        let create: @Sendable () -> Void = {
            let gauges = RoomGauges()
            // Counted before anything is created, so a drain that begins now waits for this room.
            guard lifecycle.beginCreation() else {
                completion(.failure(.unavailable(lifecycle.refusal ?? "the server takes no new rooms")))
                return
            }
            // Claim the id first: creating a driver creates the replay file named after it (never
            // over an existing one: that is a 409), which must never be a live room's.
            guard directory.reserve(settings.roomID) else {
                lifecycle.cancelCreation()
                completion(.failure(.badRequest("room \(settings.roomID) exists")))
                return
            }
            let driver: RoomDriver
            do throws(BattleError) {
                driver = try RoomDriver(
                    settings: settings, playerIDs: playerIDs, loop: loop, directory: directory, logger: logger,
                    replayDirectory: configuration.replayDirectory, flushInterval: configuration.replayFlushInterval, gauges: gauges,
                    replayWrites: replayWrites, simulations: simulations)
                var entry = RoomDirectory.Entry(
                    driver: .init(driver: driver), loop: loop, gauges: gauges, replayPath: driver.replayPath,
                    createdUnix: TokenSigner.unixNow(), endedReason: nil)
                entry.simulationID = settings.simulationID
                entry.simulationVersion = settings.simulationVersion
                entry.isResimulated = simulations.entry(id: settings.simulationID, version: settings.simulationVersion) != nil
                entry.botSlots = settings.botSlots
                entry.players = settings.players
                entry.isPublic = isPublic
                guard directory.insert(settings.roomID, entry) else {
                    // Unreachable while the id is reserved; kept so a driver is never orphaned.
                    driver.end(.adminEnded)
                    throw .badRequest("room \(settings.roomID) exists")
                }
            } catch {
                directory.cancelReservation(settings.roomID)
                lifecycle.cancelCreation()
                completion(.failure(error))
                return
            }
            driver.attach(lifecycle)
            lifecycle.created(settings.roomID, playerIDs: playerIDs)
            directory.metrics.roomsCreated.add(1, ordering: .relaxed)
            let expiresAt = TokenSigner.unixNow() + configuration.tokenLifetimeSeconds
            // No token for a bot's slot: the server plays it, and refuses a join there.
            let tokens = (0..<settings.players).filter { !settings.botSlots.contains($0) }.map { slot in
                signer.mint(JoinToken(roomID: settings.roomID, playerID: playerIDs[slot], role: .player(PlayerSlot(UInt8(slot))), expiresAt: expiresAt))
            }
            let spectator = signer.mint(JoinToken(roomID: settings.roomID, playerID: "spectator", role: .spectator, expiresAt: expiresAt))
            logger.info("room_created", [
                "room": settings.roomID, "players": settings.players, "bots": settings.botSlots.count, "rate": settings.tickRate.rawValue,
                "phase_ns": settings.phaseOffsetNanos,
            ])
            completion(.success(CreatedRoom(
                roomID: settings.roomID, playerIDs: playerIDs, tokens: tokens, spectatorToken: spectator, expiresAt: expiresAt,
                botSlots: settings.botSlots)))
        }
        // On the room's own loop already (always so with one loop): running it now is what the queue would do.
        if loop.inEventLoop { create() } else { loop.execute(create) }
    }

    /// Validates a creation request and picks the room's loop and tick phase.
    private func prepareRoom(json: [UInt8], placedID: String?) throws(BattleError) -> (settings: RoomSettings, playerIDs: [String], loop: EventLoop) {
        if let refusal = lifecycle.refusal { throw .unavailable(refusal) }
        let loops = server.eventLoops
        guard !loops.isEmpty else { throw .unavailable("the server is not running") }
        guard directory.liveCount < configuration.maxRooms else { throw .limitReached("\(configuration.maxRooms) rooms") }
        let rate = UInt64(max(1, min(240, configuration.roomDefaults.tickRate)))
        let period = 1_000_000_000 / rate
        let (index, phase) = directory.nextPhase(period: period, slots: configuration.effectivePhaseSlots(period: period))
        let generatedID = placedID ?? "room-\(index)-\(TokenSigner.randomBytes(4).map { Self.hex($0) }.joined())"
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
        guard let entry = directory.entry(roomID), let reference = entry.driver else {
            completion(false)
            return
        }
        entry.loop.execute {
            reference.driver.fastForward(ticks: ticks, input: input)
            completion(true)
        }
    }

    /// Mints a token with this server's secret (for tests and tools in the same process).
    public func mintToken(_ token: JoinToken) -> String { signer.mint(token) }

    /// Stops gracefully: no new rooms, every match ended with `serverShutdown` (clients get the
    /// event and a 1001 close), every replay finalised, then the network server stops. Every
    /// observer has been told every change (the last: `stopping`) when it returns.
    public func shutdown() {
        lifecycle.stop()
        let rooms = directory.all()
        let remaining = Atomic<Int>(rooms.count)
        let roomEnded = ConditionSignal()
        endRooms(rooms, reason: .serverShutdown) {
            remaining.subtract(1, ordering: .releasing)
            roomEnded.signal()
        }
        // Wakes at each ended room; gives up after 5 s (a loop that stopped drops its tasks).
        roomEnded.wait(until: MonotonicInstant.now() + .seconds(5)) { remaining.load(ordering: .acquiring) == 0 }
        logger.info("rooms_ended_for_shutdown", ["rooms": rooms.count])
        server.shutdown()
        // Every replay's last writes and close are queued by now: finish them before returning.
        replayWrites.waitUntilWritten()
        lifecycle.flush()
    }

    /// Ends each of `rooms` with `reason` on its loop (a room already ended is left as it is),
    /// calling `done` after each.
    func endRooms(_ rooms: [(String, RoomDirectory.Entry)], reason: MatchEndReason, done: @escaping @Sendable () -> Void = {}) {
        for (_, entry) in rooms {
            guard let reference = entry.driver else {
                done()  // ended already
                continue
            }
            entry.loop.execute {
                reference.driver.end(reason)
                done()
            }
        }
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
    /// The slots the server plays (the last ones); `tokens` are for the others, in slot order.
    var botSlots: [Int] = []
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
