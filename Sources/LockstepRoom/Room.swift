import LockstepCore
import LockstepProtocol
import LockstepReplay

/// One match: its players and spectators, its tick loop, its rollback buffer and its arbiter.
///
/// A room is a state machine with no I/O: the driver passes in joins, messages, closed connections
/// and the time, and the room answers through its `RoomOutput`. It is confined to one thread (its
/// event loop); nothing in it locks. Per tick it allocates nothing in steady state: the frame is
/// confirmed into a reused `ConfirmedFrame`, encoded once into a reused buffer, and its body copied
/// into the catch-up ring's contiguous storage (`FrameRing`) over the frame it evicts.
public final class Room {
    /// The settings the room was created with.
    public let settings: RoomSettings
    /// The room's lifecycle phase.
    @inlinable public var phase: RoomPhase { _phase }
    /// Why the room ended, once it has.
    @inlinable public var endReason: MatchEndReason? { _endReason }
    /// Counters.
    @inlinable public var statistics: RoomStatistics { _statistics }

    // Stored behind inlinable getters: a driver in another module reads them on every call, and
    // `@exclusivity(unchecked)` is honoured only where the access is compiled in this module (an
    // access to a public stored property from another module gets the runtime check regardless).
    @usableFromInline @exclusivity(unchecked) var _phase: RoomPhase = .waiting
    @usableFromInline @exclusivity(unchecked) var _endReason: MatchEndReason?
    @usableFromInline @exclusivity(unchecked) var _statistics = RoomStatistics()

    let output: RoomOutput
    @exclusivity(unchecked) var collector: InputCollector
    @exclusivity(unchecked) var clock: TickClock?
    @exclusivity(unchecked) var ring: FrameRing
    @exclusivity(unchecked) var arbiter: DesyncArbiter
    @exclusivity(unchecked) var simulation: (any DeterministicSimulation)?
    /// The server's own players, one per bot slot (`settings.botSlots`), in slot order.
    @exclusivity(unchecked) var bots: [BotSeat] = []
    /// The buffer a bot writes its input into, reused every tick.
    @exclusivity(unchecked) var botPayload: [UInt8] = []
    @exclusivity(unchecked) var slots: [SlotState]
    /// How many slots have a connection (see `setConnection(_:ofSlot:)`).
    @exclusivity(unchecked) private(set) var connectedSlotCount = 0
    @exclusivity(unchecked) var spectators: [SpectatorState] = []
    /// Connections that get every live frame: connected players and spectators with no delay.
    @exclusivity(unchecked) var liveTargets: [ConnectionID] = []
    @exclusivity(unchecked) var writer = WireWriter(capacity: 512)
    @exclusivity(unchecked) var frame: ConfirmedFrame
    let createdAt: UInt64
    @exclusivity(unchecked) var noPlayersSince: UInt64?
    /// Slots already announced as diverging (bit per slot): each is announced once.
    @exclusivity(unchecked) var announcedDesyncs: UInt64 = 0

    struct SlotState {
        var connection: ConnectionID?
        var hasJoined = false
        var hasLeft = false
        var matchOverVote: Tick?
        var reportedInputDelay: UInt16 = 0
    }

    struct SpectatorState {
        var connection: ConnectionID
    }

    struct BotSeat {
        var slot: PlayerSlot
        var bot: any SimulationBot
    }

    /// Connections being sent past frames: catching up after a (re)join, paced by their
    /// writability, and delayed spectators, who follow the spectator horizon for good.
    @exclusivity(unchecked) var cursors: [CatchUpCursor] = []

    /// A room created at monotonic time `now` (ns), waiting for its players.
    ///
    /// When `simulations` has the room's simulation (id and version), the room re-simulates every
    /// frame and its own hash decides desyncs and is recorded as the replay's checkpoints;
    /// otherwise it relays, and the players' majority decides.
    public init(
        settings: RoomSettings, output: RoomOutput, now: UInt64, simulations: SimulationRegistry = SimulationRegistry()
    ) throws(ConfigurationError) {
        self.settings = settings
        self.output = output
        collector = InputCollector(configuration: settings.input)
        ring = FrameRing(capacity: settings.rollbackCapacity)
        arbiter = DesyncArbiter(slotCount: settings.players, interval: max(1, settings.hashInterval))
        slots = Array(repeating: SlotState(), count: settings.players)
        frame = ConfirmedFrame(tick: .zero, reservingSlots: settings.players, payloadBytes: settings.players * settings.input.payloadLimit)
        createdAt = now
        simulation = try simulations.make(
            id: settings.simulationID, version: settings.simulationVersion, players: settings.players, seed: settings.seed)
        for slot in 0..<settings.players { collector.setConnected(PlayerSlot(UInt8(slot)), false) }
        arbiter.expected = 0
        try seatBots(simulations)
    }

    /// Seats the server's bots: joined and connected from the start, never expected to report hashes.
    private func seatBots(_ simulations: SimulationRegistry) throws(ConfigurationError) {
        guard !settings.botSlots.isEmpty else { return }
        guard simulation != nil, let entry = simulations.entry(id: settings.simulationID, version: settings.simulationVersion),
            entry.hasBots
        else {
            throw ConfigurationError(
                field: "bots", message: "\(settings.simulationID) version \(settings.simulationVersion) has no bots on this server")
        }
        for index in settings.botSlots {
            guard let bot = entry.makeBot(slot: index, seed: settings.seed) else { continue }
            let slot = PlayerSlot(UInt8(index))
            bots.append(BotSeat(slot: slot, bot: bot))
            slots[index].hasJoined = true
            collector.setConnected(slot, true)
        }
        botPayload.reserveCapacity(settings.input.payloadLimit)
    }

    /// Whether the server plays `index` itself.
    func isBot(_ index: Int) -> Bool {
        var position = 0
        while position < bots.count {
            if bots[position].slot.index == index { return true }
            position += 1
        }
        return false
    }

    /// The next tick the room will confirm.
    public var nextTick: Tick { collector.nextTick }

    /// The input collector's counters.
    public var inputCounters: InputCollectorCounters { collector.counters }

    /// The current schedule, once running.
    public var schedule: TickSchedule? { clock?.schedule }

    /// Connected players (counted without allocating: read after every tick).
    public var connectedPlayers: Int { connectedSlotCount }

    /// Seats `connection` in slot `index` (nil: empties it), keeping `connectedPlayers` (read
    /// on every room call) a stored count rather than a walk over the slots.
    func setConnection(_ connection: ConnectionID?, ofSlot index: Int) {
        let wasConnected = slots[index].connection != nil
        slots[index].connection = connection
        connectedSlotCount += (connection != nil ? 1 : 0) - (wasConnected ? 1 : 0)
    }

    /// Whether `slot` has a connection now.
    public func isConnected(_ slot: PlayerSlot) -> Bool { slot.index < slots.count && slots[slot.index].connection != nil }

    /// Connected spectators.
    public var spectatorCount: Int { spectators.count }

    /// Whether `slot` has ever joined.
    public func hasJoined(_ slot: PlayerSlot) -> Bool { slot.index < slots.count && slots[slot.index].hasJoined }

    /// The state hash of the room's own simulation, when it has one.
    public var simulationHash: UInt64? { simulation?.hash() }

    /// When the driver should next call `advance(now:)` (monotonic ns), or `nil` once ended.
    public var nextWakeup: UInt64? {
        switch phase {
        case .waiting: createdAt &+ settings.startTimeoutNanos
        case .running: clock?.nextDeadline
        case .ended: nil
        }
    }

    /// Seats a connection whose token the driver has verified.
    ///
    /// A player who comes back (or joins late) with `lastTick` gets every frame after it; with no
    /// `lastTick` a late joiner gets every frame from tick 0. The frames go out in batches while
    /// the connection is writable (`connectionWritable(_:)` resumes them), older ones read from the
    /// replay on disk off the loop (`framesFromDisk(_:startingAt:for:now:)`); live frames follow
    /// once it has caught up. A newer connection for a slot replaces the older one.
    ///
    /// - Throws: `ProtocolError` (`roomEnded`, `roomFull`, `catchUpUnavailable`), before anything
    ///   changes: a refused join leaves the room exactly as it was. The driver sends it and closes.
    public func join(_ connection: ConnectionID, as role: JoinRole, lastTick: Tick?, now: UInt64) throws(ProtocolError) {
        guard phase != .ended else { throw ProtocolError(.roomEnded) }
        let from = lastTick.map { $0.next } ?? .zero
        switch role {
        case .player(let slot):
            guard slot.index < slots.count else { throw ProtocolError(.roomFull, "no slot \(slot) in this room") }
            guard !isBot(slot.index) else { throw ProtocolError(.roomFull, "slot \(slot) is played by the server") }
            guard !slots[slot.index].hasLeft else { throw ProtocolError(.roomEnded, "slot \(slot) has left this match") }
            try checkCatchUp(from: from, upTo: collector.nextTick)
            if let old = slots[slot.index].connection {
                sendError(ProtocolError(.replacedByNewConnection), to: old)
                output.close(old, code: ProtocolErrorCode.replacedByNewConnection.closeCode, reason: "replaced")
                removeTarget(old)
            }
            let isReturning = slots[slot.index].hasJoined
            setConnection(connection, ofSlot: slot.index)
            slots[slot.index].hasJoined = true
            collector.setConnected(slot, true)
            arbiter.expected |= 1 << UInt64(slot.index)
            noPlayersSince = nil
            sendWelcome(to: connection, role: .player, slot: slot, now: now)
            startCatchUp(connection, from: from, followsHorizon: false, now: now)
            let event: RoomEvent = isReturning ? .reconnected(slot: slot) : .joined(slot: slot)
            announce(event, detail: "")
            output.log(.info, isReturning ? "player reconnected" : "player joined", [("room", settings.roomID), ("slot", "\(slot)"), ("conn", "\(connection)")])
            if phase == .waiting && slots.allSatisfy(\.hasJoined) { start(now: now) }
        case .spectator:
            try checkCatchUp(from: from, upTo: spectatorHorizon)
            sendWelcome(to: connection, role: .spectator, slot: nil, now: now)
            spectators.append(SpectatorState(connection: connection))
            startCatchUp(connection, from: from, followsHorizon: settings.spectatorDelay > 0, now: now)
            output.log(.info, "spectator joined", [("room", settings.roomID), ("conn", "\(connection)")])
        }
    }

    /// The first tick a spectator may not see yet.
    var spectatorHorizon: Tick {
        let next = Int(collector.nextTick.rawValue)
        return Tick(UInt32(max(0, next - settings.spectatorDelay)))
    }

    /// Handles one message from a seated connection.
    public func receive(_ message: ClientMessage, from connection: ConnectionID, now: UInt64) {
        let slot = slotIndex(of: connection).map { PlayerSlot(UInt8($0)) }
        switch message {
        case .hello:
            sendError(ProtocolError(.alreadyJoined), to: connection)
        case .input(let tick, let claimed, let payload):
            guard let slot else {
                _statistics.inputErrors += 1
                sendError(ProtocolError(.spectatorCannotSend), to: connection)
                return
            }
            guard claimed == slot else {
                _statistics.inputErrors += 1
                sendError(ProtocolError(.wrongSlot, "this connection plays slot \(slot), not \(claimed)"), to: connection)
                return
            }
            guard phase != .ended else { return }
            do {
                try collector.submit(tick: tick, slot: slot, payload: payload)
            } catch {
                _statistics.inputErrors += 1
                sendError(Self.protocolError(for: error), to: connection)
            }
        case .stateHash(let tick, let hash):
            // A hash for a tick not yet confirmed cannot be honest: ignoring it also keeps a client
            // from filling the arbiter's window with far-future checkpoints.
            guard let slot, settings.hashInterval > 0, tick < collector.nextTick else { return }
            handle(arbiter.report(slot: slot, tick: tick, hash: hash), now: now)
        case .ping(let clientTime):
            writer.clear()
            ServerMessageEncoder.pong(clientTime: clientTime, serverTime: now, nextTick: collector.nextTick, into: &writer)
            sendWriter(to: connection)
        case .leave:
            if let slot {
                playerLeft(slot, connection: connection, now: now)
            } else {
                removeSpectator(connection)
            }
            output.close(connection, code: 1000, reason: "left")
        case .matchOver(let tick):
            guard let slot, phase == .running else { return }
            slots[slot.index].matchOverVote = tick
            let connected = slots.filter { $0.connection != nil }
            let votes = connected.filter { $0.matchOverVote != nil }.count
            if votes * 2 > connected.count { end(.playersReported, now: now) }
        case .inputDelay(let ticks):
            if let slot { slots[slot.index].reportedInputDelay = ticks }
        }
    }

    /// The connection is gone (closed, timed out or failed).
    public func connectionClosed(_ connection: ConnectionID, now: UInt64) {
        if let index = slots.firstIndex(where: { $0.connection == connection }) {
            let slot = PlayerSlot(UInt8(index))
            setConnection(nil, ofSlot: index)
            collector.setConnected(slot, false)
            arbiter.expected &= ~(1 << UInt64(index))
            removeTarget(connection)
            if phase != .ended && !slots[index].hasLeft {
                announce(.disconnected(slot: slot), detail: "")
                output.log(.info, "player disconnected", [("room", settings.roomID), ("slot", "\(slot)"), ("conn", "\(connection)")])
            }
            if connectedPlayers == 0 { noPlayersSince = now }
        } else {
            removeSpectator(connection)
        }
    }

    /// The slot `connection` plays, by a plain scan (rooms have at most 64 slots).
    func slotIndex(of connection: ConnectionID) -> Int? {
        var index = 0
        while index < slots.count {
            if slots[index].connection == connection { return index }
            index += 1
        }
        return nil
    }

    static func protocolError(for rejection: InputRejection) -> ProtocolError {
        switch rejection {
        case .invalidSlot: ProtocolError(.wrongSlot, rejection.description)
        case .payloadTooLarge: ProtocolError(.payloadTooLarge, rejection.description)
        case .duplicate: ProtocolError(.duplicateInput, rejection.description)
        case .tooFarAhead: ProtocolError(.tickTooFarAhead, rejection.description)
        case .late: ProtocolError(.inputLate, rejection.description)
        }
    }
}
