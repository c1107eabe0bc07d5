import LockstepCore
import LockstepEventLoop
import LockstepProtocol
import LockstepReplay
@_spi(Testing) import LockstepRoom
import LockstepServer
import LockstepWebSocket

/// Runs one `Room` on one event loop: owns its connections, its tick timer and its replay file,
/// and does the I/O the room asks for. Confined to `loop`'s thread (hence `@unchecked Sendable`):
/// every method is called on that loop; other threads hop there with `loop.execute`. Checked in
/// debug builds (`EventLoop.assertInEventLoop()`): `init`, `join`, `receive`, `connectionClosed`,
/// `connectionWritable`, `fastForward`, `end`, `sendError`, the tick timer, and every room call
/// (through which the room's `RoomOutput` callbacks come).
final class RoomDriver: RoomOutput, @unchecked Sendable {
    let loop: EventLoop
    let room: Room
    let replayPath: String
    private let directory: RoomDirectory
    private let logger: Logger
    /// The replay being written (internal so tests can make its file fail).
    @exclusivity(unchecked) private(set) var replay: ReplayFileWriter?
    /// Tells the replay's fate: log, metric, the room's `replayStatus`.
    private let replayReport: ReplayFailureReport
    /// The room's connections (change them only through `seat`/`unseat`, which keep
    /// `resolvedTargets` honest).
    @exclusivity(unchecked) private var connections: [ConnectionID: WebSocketConnection] = [:]
    /// The same connections in an array, for the walk every batched tick makes over them (a
    /// dictionary's iteration costs more; the order does not matter).
    @exclusivity(unchecked) private var seatedConnections = ConnectionList<WebSocketConnection>()
    /// The connections of the last broadcast's target list, looked up once: a room broadcasts to
    /// the same list every tick (its `liveTargets`, the same array storage until it changes, so
    /// comparing is one identity check), and each tick's frame then reaches its connections with
    /// no dictionary lookup. Forgotten whenever a connection is seated or leaves.
    @exclusivity(unchecked) private var resolvedTargetIDs: [ConnectionID] = []
    @exclusivity(unchecked) private var resolvedTargets = ConnectionList<WebSocketConnection>()
    @exclusivity(unchecked) private var timer: TimerHandle?
    @exclusivity(unchecked) private var timerDeadline: UInt64 = 0
    @exclusivity(unchecked) private var onTimer: ((TimerFiring) -> Void)?
    private let gauges: RoomGauges
    /// The tick histograms of this room's loop (recorded by that loop alone).
    private let tickMetrics: BattleMetrics.LoopTicks
    /// The frame buffer, reused every tick once all connections have written it.
    @exclusivity(unchecked) private var frameBuffers = SharedBufferRecycler()
    /// Whether a call into the room is in progress. A send inside it can close a connection at
    /// once (a slow reader over its outbound cap), whose close would re-enter the room in the
    /// middle of, say, a tick; such closes wait in `closedDuringRoomCall` until the call returns.
    @exclusivity(unchecked) private var inRoomCall = false
    @exclusivity(unchecked) private var closedDuringRoomCall: [WebSocketConnection] = []
    /// Player ids by slot, from the tokens (for logs and the admin API).
    @exclusivity(unchecked) var playerIDs: [String]
    /// Told when the match starts, a player connects or disconnects, and the room ends; set by
    /// `attach(_:)` once the room is in the directory.
    @exclusivity(unchecked) private var lifecycle: RoomLifecycle?
    @exclusivity(unchecked) private var observedStart = false
    @exclusivity(unchecked) private var observedEnd = false
    /// Slots the lifecycle was last told are connected, and how many.
    @exclusivity(unchecked) private var observedConnected: [Bool]
    @exclusivity(unchecked) private var observedConnectedCount = 0

    init(
        settings: RoomSettings, playerIDs: [String], loop: EventLoop, directory: RoomDirectory, logger: Logger,
        replayDirectory: String, flushInterval: Int, gauges: RoomGauges, replayWrites: ReplayWriteQueue? = nil,
        simulations: SimulationRegistry = SimulationRegistry()
    ) throws(BattleError) {
        loop.assertInEventLoop()
        self.loop = loop
        observedConnected = Array(repeating: false, count: settings.players)
        self.gauges = gauges
        self.directory = directory
        tickMetrics = directory.metrics.ticks(forLoop: loop.index)
        self.logger = logger
        self.playerIDs = playerIDs
        replayPath = replayDirectory + "/" + settings.roomID + ".lsr"
        let placeholder = RoomPlaceholderOutput()
        do {
            room = try Room(settings: settings, output: placeholder, now: loop.now.nanoseconds, simulations: simulations)
        } catch {
            throw .badRequest(error.description)
        }
        let header = ReplayHeader(
            simulationID: settings.simulationID, simulationVersion: settings.simulationVersion,
            tickRate: UInt16(settings.tickRate.rawValue), inputDelay: UInt16(settings.inputDelay), seed: settings.seed,
            payloadLimit: UInt16(settings.input.payloadLimit), checkpointInterval: UInt32(settings.hashInterval),
            recordedAtUnixMillis: TokenSigner.unixNow() * 1000, roomID: settings.roomID, players: playerIDs)
        replayReport = ReplayFailureReport(roomID: settings.roomID, gauges: gauges, metrics: directory.metrics, logger: logger)
        replay = try Self.openReplay(
            path: replayPath, header: header, flushInterval: flushInterval, writeQueue: replayWrites, report: replayReport)
        placeholder.target = Unmanaged.passUnretained(self)
        // A strong cycle (driver → onTimer → driver), broken when the room ends (`roomEnded`): a
        // weak capture would put the driver's reference count in a side table, slowing every
        // retain of it on the input path.
        onTimer = { [self] firing in fire(firing) }
        armTimer()
        gauges.publish(room)
    }

    // MARK: Driving the room

    /// Seats `connection` (already moved to this loop) and routes its messages here.
    func join(_ connection: WebSocketConnection, role: JoinRole, lastTick: Tick?) {
        loop.assertInEventLoop()
        let id = ConnectionID(connection.id)
        seat(connection, as: id)
        var refusal: ProtocolError?
        roomCall {
            do throws(ProtocolError) {
                try room.join(id, as: role, lastTick: lastTick, now: loop.now.nanoseconds)
            } catch {
                refusal = error
            }
        }
        if let refusal {
            unseat(id)
            sendError(refusal, to: connection)
            return
        }
        armTimer()
        gauges.publish(room)
    }

    func receive(_ message: ClientMessage, from connection: WebSocketConnection) {
        loop.assertInEventLoop()
        roomCall { room.receive(message, from: ConnectionID(connection.id), now: loop.now.nanoseconds) }
        if room.phase == .ended {
            // A match ended by a message (the players' MATCH_OVER votes): no tick publishes after
            // it, so the admin API would report it running for ever, and miss a last desync.
            gauges.publish(room)
            armTimer()
        }
    }

    func connectionClosed(_ connection: WebSocketConnection) {
        loop.assertInEventLoop()
        guard !inRoomCall else {
            closedDuringRoomCall.append(connection)
            return
        }
        roomCall { removeClosed(connection) }
        armTimer()
        gauges.publish(room)
    }

    /// See `Room.fastForward(ticks:now:input:)` (tests only).
    func fastForward(ticks: Int, input: (Tick, PlayerSlot) -> [UInt8]) {
        loop.assertInEventLoop()
        roomCall(flushingFrames: true) { room.fastForward(ticks: ticks, now: loop.now.nanoseconds, input: input) }
        gauges.publish(room)
        armTimer()
    }

    /// Ends the match (admin request or shutdown).
    func end(_ reason: MatchEndReason) {
        loop.assertInEventLoop()
        roomCall { room.end(reason, now: loop.now.nanoseconds) }
        gauges.publish(room)
    }

    private func fire(_ firing: TimerFiring) {
        loop.assertInEventLoop()
        timer = nil
        // The tick reads (deferred input) and writes (the frame) every connection, last touched a
        // tick ago: start loading them all at once.
        seatedConnections.forEach { $0.prefetch() }
        seatedConnections.forEach { $0.prefetchReadBuffer() }
        if loop.hasDeferredEvents {
            // A batched wake-up: the players' input that arrived before it counts for this tick;
            // other rooms' input waits until the due ticks are out. (A read may close a
            // connection and change `connections`; the walk holds the list taken here.)
            seatedConnections.forEach { $0.handleDeferredInput() }
        }
        let started = MonotonicInstant.now()
        tickMetrics.recordLateness(firing.latenessNanoseconds)
        let ticksBefore = room.statistics.ticks
        roomCall(flushingFrames: true) { room.advance(now: firing.firedAt.nanoseconds) }
        if room.statistics.ticks != ticksBefore {
            tickMetrics.recordWork(MonotonicInstant.now().nanoseconds(since: started))
        }
        gauges.publish(room)
        armTimer()
    }

    /// Runs `body` (a call into the room), then the closes it deferred, each one also a room call.
    /// Then, when `flushingFrames` (a tick), writes what the loop has queued at once: when rooms
    /// fire in one loop turn, a room's players then wait for the rooms fired before it, not for
    /// all of them. That happens after the room call returns, so a failed write that closes a
    /// connection never re-enters the room in the middle of its tick. Without it, the frames go
    /// out at the loop's end-of-turn flush.
    private func roomCall(flushingFrames: Bool = false, _ body: () -> Void) {
        loop.assertInEventLoop()
        guard !inRoomCall else {
            body()
            return
        }
        inRoomCall = true
        body()
        var index = 0
        while index < closedDuringRoomCall.count {
            removeClosed(closedDuringRoomCall[index])
            index += 1
        }
        closedDuringRoomCall.removeAll(keepingCapacity: true)
        inRoomCall = false
        observeLifecycle()
        if flushingFrames { loop.flushQueuedWrites() }
    }

    /// From now on tells `lifecycle` about the room (which it has counted as created).
    func attach(_ lifecycle: RoomLifecycle) {
        loop.assertInEventLoop()
        self.lifecycle = lifecycle
    }

    /// Tells the lifecycle what changed in the room since it was last told: the match started,
    /// players connected or disconnected. Once per room call (every tick): two comparisons and a
    /// loop over the slots, no allocation and no lock unless something changed.
    private func observeLifecycle() {
        // The cheap comparisons first: binding `lifecycle` costs a retain and a release.
        let playersChanged = room.connectedPlayers != observedConnectedCount
        let started = !observedStart && room.phase == .running
        guard playersChanged || started, !observedEnd, let lifecycle else { return }
        // Players first: the join that starts the match is told before the start.
        if playersChanged { observePlayers(lifecycle, room.settings.roomID) }
        if started {
            observedStart = true
            lifecycle.started(room.settings.roomID)
        }
    }

    private func observePlayers(_ lifecycle: RoomLifecycle, _ roomID: String) {
        var count = 0
        for slot in observedConnected.indices {
            let connected = room.isConnected(PlayerSlot(UInt8(slot)))
            if connected { count += 1 }
            guard connected != observedConnected[slot] else { continue }
            observedConnected[slot] = connected
            let playerID = slot < playerIDs.count ? playerIDs[slot] : "slot-\(slot)"
            if connected {
                lifecycle.playerConnected(roomID, playerID: playerID)
            } else {
                lifecycle.playerDisconnected(roomID, playerID: playerID)
            }
        }
        observedConnectedCount = count
    }

    private func removeClosed(_ connection: WebSocketConnection) {
        let id = ConnectionID(connection.id)
        guard unseat(id) != nil else { return }
        room.connectionClosed(id, now: loop.now.nanoseconds)
    }

    /// Keeps one timer armed at the room's next wakeup.
    private func armTimer() {
        guard let wakeup = room.nextWakeup, let onTimer else {
            if let timer { loop.cancelTimer(timer) }
            timer = nil
            return
        }
        if let timer, timerDeadline == wakeup, loop.isTimerScheduled(timer) { return }
        if let timer { loop.cancelTimer(timer) }
        timerDeadline = wakeup
        timer = loop.scheduleTimer(at: MonotonicInstant(nanoseconds: wakeup), onTimer)
    }

    func sendError(_ error: ProtocolError, to connection: WebSocketConnection) {
        loop.assertInEventLoop()
        var writer = WireWriter()
        ServerMessageEncoder.error(error, into: &writer)
        writer.bytes.withUnsafeBytes { connection.send(.binary, payload: $0) }
        if error.code.isFatal {
            connection.close(code: WebSocketCloseCode(rawValue: error.code.closeCode), reason: error.code.description)
        }
    }

    // MARK: RoomOutput

    func send(_ message: UnsafeRawBufferPointer, to connection: ConnectionID) {
        connections[connection]?.send(.binary, payload: message)
    }

    func broadcast(_ message: UnsafeRawBufferPointer, to targets: [ConnectionID]) {
        // Encoded once as a whole WebSocket frame; every connection queues the same bytes.
        let frame = frameBuffers.webSocketFrame(.binary, payload: message)
        if targets != resolvedTargetIDs {
            resolvedTargetIDs = targets
            resolvedTargets = ConnectionList(targets.map { connections[$0] })
        }
        resolvedTargets.forEach { $0.send(encodedFrame: frame) }
    }

    private func seat(_ connection: WebSocketConnection, as id: ConnectionID) {
        if let replaced = connections.updateValue(connection, forKey: id) {
            seatedConnections.remove(replaced)
        }
        seatedConnections.append(connection)
        forgetResolvedTargets()
    }

    @discardableResult
    private func unseat(_ id: ConnectionID) -> WebSocketConnection? {
        guard let removed = connections.removeValue(forKey: id) else { return nil }
        seatedConnections.remove(removed)
        forgetResolvedTargets()
        return removed
    }

    private func forgetResolvedTargets() {
        resolvedTargetIDs = []
        resolvedTargets = ConnectionList()
    }

    func close(_ connection: ConnectionID, code: UInt16, reason: String) {
        guard let socket = unseat(connection) else { return }
        socket.close(code: WebSocketCloseCode(rawValue: code), reason: reason)
    }

    func isWritable(_ connection: ConnectionID) -> Bool {
        connections[connection]?.isWritable ?? false
    }

    var canReadFramesFromDisk: Bool { replay != nil }

    func requestFramesFromDisk(_ range: Range<Tick>, for connection: ConnectionID) -> Bool {
        guard let replay else { return false }
        let roomID = room.settings.roomID
        let logger = logger
        // Read and encoded on the replay queue's thread, after the writes before it; handed back
        // to this loop. The loop never waits on the disk.
        replay.readFrames(range) { [self] result in
            var bodies: [[UInt8]]?
            switch result {
            case .success(let frames):
                var writer = WireWriter()
                bodies = frames.map { frame in
                    writer.clear()
                    ServerMessageEncoder.frameBody(frame, into: &writer)
                    return writer.bytes
                }
            case .failure(let error):
                logger.warning("catch_up_from_disk_failed", ["room": roomID, "error": error])
            }
            let read = bodies
            loop.execute { [self] in
                roomCall { room.framesFromDisk(read, startingAt: range.lowerBound, for: connection, now: loop.now.nanoseconds) }
                gauges.publish(room)
            }
        }
        return true
    }

    /// The connection's queue drained: its catch-up, if any, goes on.
    func connectionWritable(_ connection: WebSocketConnection) {
        loop.assertInEventLoop()
        let id = ConnectionID(connection.id)
        guard connections[id] != nil else { return }
        roomCall { room.connectionWritable(id, now: loop.now.nanoseconds) }
        gauges.publish(room)
    }

    func recordFrame(_ frame: ConfirmedFrame) {
        do {
            try replay?.append(frame)
        } catch {
            // Already reported (log, metric, room field) by the writer's failure handler.
            replay = nil
        }
    }

    func recordEvent(_ event: ReplayEvent) { replay?.event(event) }

    func recordCheckpoint(_ checkpoint: ReplayCheckpoint) { replay?.checkpoint(checkpoint) }

    func roomEnded(reason: MatchEndReason, finalHash: UInt64) {
        // A failure is reported by the writer's handler; `written` only runs once the footer is on disk.
        try? replay?.finish(finalHash: finalHash, whenWritten: replayReport.written(path: replayPath, ticks: room.nextTick))
        replay = nil
        // Break the driver → timer → driver cycle: no more ticks.
        onTimer = nil
        if let timer { loop.cancelTimer(timer) }
        timer = nil
        connections.removeAll()
        seatedConnections.removeAll()
        forgetResolvedTargets()
        directory.roomEnded(room.settings.roomID, reason: reason)
        // Its players' disconnections first (the room let go of every slot), then the end.
        observeLifecycle()
        observedEnd = true
        lifecycle?.ended(room.settings.roomID, reason: reason)
    }

    func log(_ level: LogLevel, _ message: String, _ fields: [(String, String)]) {
        guard level >= logger.level else { return }
        var line = message.replacingSpaces()
        for (key, value) in fields { line += " \(key)=\(value)" }
        logger.log(level, "room", ["detail": line])
    }
}

/// Lets the room be created before its driver finishes initialising (the room needs an output
/// at init; the driver needs the room). Forwards everything to the driver.
private final class RoomPlaceholderOutput: RoomOutput {
    /// The driver owns the room, which owns this forwarder: the target outlives it, and every call
    /// through here comes from inside one of the driver's own calls into the room. So the driver
    /// is used as a guaranteed reference, with no reference counting (each retain and release
    /// is an atomic operation, and the frame passes here twice per tick); not weak, for the
    /// reason given at `RoomDriver.onTimer`.
    @exclusivity(unchecked) var target: Unmanaged<RoomDriver>?

    @inline(__always)
    private func forward<Result>(_ fallback: Result, _ body: (RoomDriver) -> Result) -> Result {
        guard let target else { return fallback }
        return target._withUnsafeGuaranteedRef(body)
    }

    func send(_ message: UnsafeRawBufferPointer, to connection: ConnectionID) { forward(()) { $0.send(message, to: connection) } }
    func broadcast(_ message: UnsafeRawBufferPointer, to connections: [ConnectionID]) {
        forward(()) { $0.broadcast(message, to: connections) }
    }
    func close(_ connection: ConnectionID, code: UInt16, reason: String) {
        forward(()) { $0.close(connection, code: code, reason: reason) }
    }
    func isWritable(_ connection: ConnectionID) -> Bool { forward(false) { $0.isWritable(connection) } }
    var canReadFramesFromDisk: Bool { forward(false) { $0.canReadFramesFromDisk } }
    func requestFramesFromDisk(_ range: Range<Tick>, for connection: ConnectionID) -> Bool {
        forward(false) { $0.requestFramesFromDisk(range, for: connection) }
    }
    func recordFrame(_ frame: ConfirmedFrame) { forward(()) { $0.recordFrame(frame) } }
    func recordEvent(_ event: ReplayEvent) { forward(()) { $0.recordEvent(event) } }
    func recordCheckpoint(_ checkpoint: ReplayCheckpoint) { forward(()) { $0.recordCheckpoint(checkpoint) } }
    func roomEnded(reason: MatchEndReason, finalHash: UInt64) {
        forward(()) { $0.roomEnded(reason: reason, finalHash: finalHash) }
    }
    func log(_ level: LogLevel, _ message: String, _ fields: [(String, String)]) {
        forward(()) { $0.log(level, message, fields) }
    }
}

extension String {
    func replacingSpaces() -> String { String(map { $0 == " " ? "_" : $0 }) }
}
