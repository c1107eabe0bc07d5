import LockstepCore
import LockstepProtocol

/// The client's protocol and session logic with no I/O: clock sync, input scheduling, adaptive
/// input delay, prediction and rollback, hash reports and reconnect decisions.
///
/// Feed it what the transport reports (`handle(_:now:)`) and the time (`update(now:)`); it answers
/// with events for the game and actions for the transport (`takeActions()`: messages to send, a
/// connection to open or close). Every input carries the time, so the core runs the same on a
/// game thread, an event loop, or in a test with no socket at all. Confined to one thread at a time.
public final class LockstepClientCore<Simulation: DeterministicSimulation> {
    public let configuration: ClientConfiguration
    private let makeSimulation: (Int, UInt64) throws -> Simulation
    /// The prediction session, once the WELCOME has arrived.
    public private(set) var session: PredictionSession<Simulation>?
    /// The room's settings as the WELCOME gave them.
    public private(set) var welcome: Welcome?
    /// The tick schedule, once the match has started.
    public private(set) var schedule: TickSchedule?
    /// The clock estimate.
    public private(set) var clock = ClockSynchronizer()
    /// The adaptive input delay.
    public private(set) var inputDelay: InputDelayController
    /// The match's end, once it happened.
    public private(set) var matchEnd: MatchEndReason?
    /// Desyncs announced for this client's slot.
    public private(set) var desyncs: [RoomEvent] = []
    /// Why the client stopped before its match ended, if it did (it then connects no more).
    public private(set) var failure: ClientFailure?
    /// Whether a connection is open now.
    public private(set) var isConnected = false
    /// Reconnects that succeeded so far (attempts that failed are not counted).
    public private(set) var reconnects = 0
    /// The first tick whose re-simulation disagreed, when the sync test is on and caught one.
    public private(set) var syncTestMismatch: Tick?
    /// The node a cluster sent the client to (error 16, wrong node), once it did: a client
    /// follows one redirect, and a second wrong-node error fails it.
    public private(set) var redirectedTo: PlayURL?
    /// The redirect named by a wrong-node error, followed when its close arrives.
    private var pendingRedirect: PlayURL?
    /// When the next reconnect attempt is due (client ns), while one is scheduled.
    public private(set) var reconnectAt: UInt64?
    /// The input for future ticks: set it from the game, or use `inputSource`. A pacing transport
    /// sends it at each tick's time even when the core is not updated then (`pacer`).
    public var currentInput: [UInt8] {
        get { pacer.input }
        set { pacer.input = newValue }
    }
    /// When set, asked for the input of each tick instead of `currentInput` (bots); inputs are then
    /// sent only from `update`.
    public var inputSource: ((Tick) -> [UInt8])?
    /// Shares the input plan with a transport that sends inputs at their time by itself.
    public let pacer = InputPacer()

    private var actions: [ClientAction] = []
    private var reconnectPolicy: ReconnectPolicy
    private var attempt = 0
    private var closedByClient = false
    private var hasConnected = false
    private var nextPingAt: UInt64 = 0
    private var sentTicks = [Bool](repeating: false, count: 512)
    private var writer = WireWriter()
    private var syncTester: SyncTester<Simulation>?
    /// The tick whose confirmed state was over, once MATCH_OVER was sent for it.
    public private(set) var reportedMatchOver: Tick?

    /// A core for `configuration`; `simulation` builds the game state for (players, seed).
    public init(configuration: ClientConfiguration, simulation: @escaping (Int, UInt64) throws -> Simulation) {
        self.configuration = configuration
        makeSimulation = simulation
        reconnectPolicy = configuration.reconnectPolicy
        inputDelay = InputDelayController(initial: 2, minimum: configuration.minimumInputDelay, maximum: configuration.maximumInputDelay)
    }

    /// The predicted state to render (or the confirmed one before any prediction).
    public var predicted: Simulation? { session?.predicted }

    /// The last confirmed tick (what a reconnect's HELLO carries), or `nil` before any frame.
    public var lastConfirmedTick: Tick? {
        guard let session, session.confirmedNext.rawValue > 0 else { return nil }
        return Tick(session.confirmedNext.rawValue - 1)
    }

    /// Whether the client is done: its match ended or it failed.
    public var isFinished: Bool { matchEnd != nil || failure != nil }

    /// Asks for the first connection.
    public func start() {
        guard !closedByClient else { return }
        connectNow()
    }

    /// Asks for a connection, with the HELLO to send as soon as it opens. No frame arrives while
    /// disconnected, so the last confirmed tick it carries is still the last one then.
    private func connectNow() {
        writer.clear()
        ClientMessageEncoder.hello(Hello(token: configuration.token, lastTick: lastConfirmedTick), into: &writer)
        actions.append(.connect(hello: writer.bytes))
    }

    /// Stops for good: closes the connection and never reconnects.
    public func close() {
        guard !closedByClient else { return }
        closedByClient = true
        reconnectAt = nil
        pacer.publish(nil, from: .zero)
        actions.append(.close)
    }

    /// Leaves the match for good: sends LEAVE (the slot is filled as disconnected from then on
    /// and cannot rejoin), then closes the connection and never reconnects.
    public func leave() {
        guard !closedByClient else { return }
        if isConnected {
            writer.clear()
            ClientMessageEncoder.leave(into: &writer)
            actions.append(.send(writer.bytes))
        }
        close()
    }

    /// The actions asked for since the last call, in order.
    public func takeActions() -> [ClientAction] {
        defer { actions.removeAll(keepingCapacity: true) }
        return actions
    }

    /// Where the server's clock is at client time `now`, in ticks: the tick due plus the fraction
    /// of the period elapsed since its deadline (for example 41.25); `nil` before the schedule.
    public func tickPosition(now: UInt64) -> Double? {
        guard let schedule else { return nil }
        let serverNow = clock.serverTime(at: now)
        guard let due = schedule.tick(at: serverNow) else {
            return Double(schedule.baseTick.rawValue) - Double(schedule.epoch - serverNow) / Double(schedule.rate.periodNanoseconds)
        }
        let deadline = schedule.deadline(of: due)
        return Double(due.rawValue) + Double(serverNow - deadline) / (1e9 / Double(schedule.rate.rawValue))
    }

    /// The next client time at which `update(now:)` has work (a tick deadline, a ping, a
    /// reconnect), or `nil` when only arrivals can make progress.
    public func nextWakeup(now: UInt64) -> UInt64? {
        guard !closedByClient else { return nil }
        var next = reconnectAt
        if isConnected { next = min(next ?? nextPingAt, nextPingAt) }
        if let schedule, matchEnd == nil {
            let serverNow = clock.serverTime(at: now)
            let upcoming = schedule.tick(at: serverNow)?.next ?? schedule.baseTick
            let serverDeadline = schedule.deadline(of: upcoming)
            let clientDeadline = UInt64(bitPattern: Int64(bitPattern: serverDeadline) &- (clock.offset ?? 0))
            next = min(next ?? clientDeadline, clientDeadline)
        }
        return next
    }

    // MARK: Inputs

    /// Processes one transport event at client time `now`.
    public func handle(_ event: TransportEvent, now: UInt64, events: inout [ClientEvent]) {
        switch event {
        case .opened:
            opened(now: now)
        case .received(let bytes):
            // Closed or failed: what still arrives is not reported (a failure is the last event).
            guard !closedByClient else { return }
            guard let message = try? bytes.withUnsafeBytes({ try ServerMessage.decode($0) }) else { return }
            handle(message, now: now, events: &events)
        case .closed(let code):
            closed(code: code, now: now, events: &events)
        }
    }

    /// Sends due pings and inputs, starts a due reconnect and advances prediction to `now`.
    public func update(now: UInt64, events: inout [ClientEvent]) {
        if let reconnectAt, now >= reconnectAt, !closedByClient {
            self.reconnectAt = nil
            connectNow()
        }
        if isConnected, now >= nextPingAt { ping(now) }
        reportMatchOverIfDue()
        defer { publishPlan() }
        guard let session, let schedule, let welcome else { return }
        // The tick due now on the server's clock (nothing due before the epoch).
        let due = schedule.tick(at: clock.serverTime(at: now))
        if let slot = welcome.slot, matchEnd == nil {
            let lastDue = due.map { Int($0.rawValue) } ?? Int(schedule.baseTick.rawValue) - 1
            let target = Tick(UInt32(truncatingIfNeeded: max(0, lastDue + inputDelay.delay)))
            drainPacerJournal()
            // The ticks the transport has not sent by itself already.
            for (tick, payload) in pacer.take(upTo: target, from: session.confirmedNext, source: inputSource) {
                session.setLocalInput(payload, for: tick)
                if isConnected {
                    writer.clear()
                    ClientMessageEncoder.input(tick: tick, slot: slot, payload: payload, into: &writer)
                    actions.append(.send(writer.bytes))
                    sentTicks[Int(tick.rawValue) % sentTicks.count] = true
                }
            }
        }
        if let due { session.advance(to: due.next) }
    }

    /// Records the inputs a pacing transport sent by itself (predictions and the input delay use them).
    private func drainPacerJournal() {
        guard let session else { return }
        for (tick, payload) in pacer.takeJournal() where tick >= session.confirmedNext {
            session.setLocalInput(payload, for: tick)
            sentTicks[Int(tick.rawValue) % sentTicks.count] = true
        }
    }

    /// Tells a pacing transport how to send inputs by itself, or to send none.
    private func publishPlan() {
        var plan: InputPacer.Plan?
        if isConnected, !closedByClient, matchEnd == nil, inputSource == nil, session != nil, let schedule, let slot = welcome?.slot {
            plan = InputPacer.Plan(schedule: schedule, offset: clock.offset ?? 0, delay: inputDelay.delay, slot: slot)
        }
        pacer.publish(plan, from: session?.confirmedNext ?? .zero)
    }

    /// Sends MATCH_OVER once when the confirmed state is over (a player's vote; the room ends the
    /// match when more than half of the connected players have voted). A vote is never withdrawn.
    private func reportMatchOverIfDue() {
        guard configuration.reportsMatchOver, reportedMatchOver == nil, matchEnd == nil, isConnected, !closedByClient,
            welcome?.slot != nil, let session, session.confirmedNext.rawValue > 0, session.confirmed.isOver
        else { return }
        let tick = Tick(session.confirmedNext.rawValue - 1)
        writer.clear()
        ClientMessageEncoder.matchOver(tick: tick, into: &writer)
        actions.append(.send(writer.bytes))
        reportedMatchOver = tick
    }

    // MARK: Connection

    private func opened(now: UInt64) {
        guard !closedByClient else { return }
        attempt = 0
        if hasConnected { reconnects += 1 }
        hasConnected = true
        isConnected = true
        // The transport sent the HELLO when the connection opened. The first ping seeds the clock estimate at once; the others follow every interval.
        ping(now)
    }

    /// Decides what a closed connection means: reconnect after a backoff, or stop.
    private func closed(code: UInt16, now: UInt64, events: inout [ClientEvent]) {
        isConnected = false
        publishPlan()
        guard !closedByClient else { return }
        // A cluster's wrong-node error (close 4016) names the room's node: go there once, now.
        if code == ProtocolErrorCode.wrongNode.closeCode, let target = pendingRedirect, redirectedTo == nil {
            pendingRedirect = nil
            redirectedTo = target
            events.append(.disconnected(code: code, willReconnect: true))
            actions.append(.redirect(target))
            connectNow()
            return
        }
        // Normal ends, fatal refusals (4001…4099) and our own close do not reconnect.
        let refused = code >= 4000 && code < 4100
        let shouldReconnect = configuration.reconnect && matchEnd == nil && code != 1000 && !refused
        let delay = shouldReconnect ? reconnectPolicy.delay(forAttempt: attempt) : nil
        events.append(.disconnected(code: code, willReconnect: delay != nil))
        if refused && matchEnd == nil { fail(.closed(code: code), events: &events) }
        guard shouldReconnect else { return }
        guard let delay else {
            // The policy's limit: stop for good and say so, rather than wait silently.
            fail(.gaveUp(attempts: attempt, lastCloseCode: code), events: &events)
            return
        }
        attempt += 1
        events.append(.reconnecting(attempt: attempt, delayNanos: delay))
        reconnectAt = now + delay
    }

    private func ping(_ now: UInt64) {
        writer.clear()
        ClientMessageEncoder.ping(clientTime: now, into: &writer)
        actions.append(.send(writer.bytes))
        nextPingAt = now + configuration.pingIntervalNanos
    }

    /// Stops for good: records why, reports it, and asks for the connection to close.
    private func fail(_ reason: ClientFailure, events: inout [ClientEvent]) {
        guard failure == nil else { return }
        failure = reason
        events.append(.failed(reason))
        close()
    }

    // MARK: Messages

    private func handle(_ message: ServerMessage, now: UInt64, events: inout [ClientEvent]) {
        switch message {
        case .welcome(let value):
            guard value.simulationID == Simulation.simulationID, value.simulationVersion == Simulation.simulationVersion else {
                // Another game's room: playing it would only desynchronise. Refuse before any input.
                fail(
                    .simulationMismatch(
                        room: value.simulationID, roomVersion: value.simulationVersion, client: Simulation.simulationID,
                        clientVersion: Simulation.simulationVersion), events: &events)
                return
            }
            if welcome == nil {
                inputDelay = InputDelayController(
                    initial: Int(value.inputDelay), minimum: configuration.minimumInputDelay, maximum: configuration.maximumInputDelay)
            }
            welcome = value
            if value.schedule.epoch != 0 { schedule = value.schedule.tickSchedule }
            events.append(.welcome(value))
            if session == nil {
                do {
                    let initial = try makeSimulation(Int(value.playerCount), value.seed)
                    session = try PredictionSession(
                        initial: initial, slotCount: Int(value.playerCount), localSlot: value.slot.map { $0.index },
                        maxPrediction: configuration.maxPrediction, predictor: configuration.inputPredictor)
                    if configuration.syncTestDistance > 0 {
                        syncTester = SyncTester(initial: initial, checkDistance: configuration.syncTestDistance)
                    }
                } catch {
                    // A client that cannot simulate the room cannot play it: say why and leave.
                    fail(.simulation("\(error)"), events: &events)
                }
            }
        case .schedule(let value):
            schedule = value.tickSchedule
            events.append(.schedule(value))
        case .frame(let frame):
            confirm(frame, events: &events)
        case .frameBatch(let frames):
            for frame in frames { confirm(frame, events: &events) }
        case .pong(let clientTime, let serverTime, _):
            clock.add(sentAt: clientTime, serverTime: serverTime, receivedAt: now)
        case .event(let event, let tick, let detail):
            if case .matchEnd(let reason) = event { matchEnd = reason }
            if case .desync(let slot, _, _, _) = event, slot == welcome?.slot { desyncs.append(event) }
            events.append(.room(event, tick: tick, detail: detail))
        case .error(let code, let fatal, let text):
            events.append(.serverError(code: code, fatal: fatal, message: text))
            if code == ProtocolErrorCode.wrongNode.rawValue, redirectedTo == nil, let start = text.range(of: "ws://") {
                pendingRedirect = try? PlayURL(parsing: String(text[start.lowerBound...]))
            }
        }
    }

    private func confirm(_ frame: ConfirmedFrame, events: inout [ClientEvent]) {
        guard let session else { return }
        drainPacerJournal()
        let applied = frame.tick == session.confirmedNext
        guard session.confirm(frame) else {
            events.append(.outOfSync(expected: session.confirmedNext, got: frame.tick))
            return
        }
        if applied, syncTester != nil, let mismatch = syncTester?.step(frame), syncTestMismatch == nil {
            syncTestMismatch = mismatch.tick
            events.append(.syncTestFailed(tick: mismatch.tick, first: mismatch.first, resimulated: mismatch.resimulated))
        }
        if isConnected, let welcome, welcome.hashInterval > 0, (Int(frame.tick.rawValue) + 1) % Int(welcome.hashInterval) == 0 {
            writer.clear()
            ClientMessageEncoder.stateHash(tick: frame.tick, hash: session.confirmed.hash(), into: &writer)
            actions.append(.send(writer.bytes))
        }
        guard configuration.adaptiveInputDelay, let slot = welcome?.slot, slot.index < frame.slotCount else { return }
        let index = Int(frame.tick.rawValue) % sentTicks.count
        guard sentTicks[index] else { return }
        sentTicks[index] = false
        let before = inputDelay.delay
        switch frame.status(of: slot.index) {
        case .missingFilled, .lateMoved:
            inputDelay.inputWasLate()
        default:
            inputDelay.inputWasOnTime(roundTrip: clock.medianRoundTrip ?? 0, period: schedule?.rate.periodNanoseconds ?? 0)
        }
        if inputDelay.delay != before {
            if isConnected {
                writer.clear()
                ClientMessageEncoder.inputDelay(ticks: UInt16(inputDelay.delay), into: &writer)
                actions.append(.send(writer.bytes))
            }
            events.append(.inputDelayChanged(inputDelay.delay))
        }
    }
}
