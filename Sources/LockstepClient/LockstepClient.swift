import LockstepCore
import LockstepEventLoop
import LockstepProtocol

/// A game client for one room: connect, play with prediction and rollback, reconnect.
///
/// **Poll style** (game loops): call `poll()` once per rendered frame on the game thread; it
/// processes what arrived, sends this client's inputs just in time for their deadlines, advances
/// the prediction to the server's current tick, and returns the events. Read `predicted` to
/// render and `session.confirmed` for the authoritative state. **Async style** (tools):
/// `events(pollEvery:)` is an `AsyncStream` that polls for you. Close with `close()`, or use
/// `withConnection` to have it closed when the scope ends.
///
/// The socket lives on an event loop; everything else is confined to the thread that calls
/// `poll()` (one thread at a time; hence `@unchecked Sendable`).
public final class LockstepClient<Simulation: DeterministicSimulation>: @unchecked Sendable {
    public let configuration: ClientConfiguration
    let transport: ClientTransport

    /// The event loop the client's connection runs on (its state is read there).
    public var loop: EventLoop { transport.loop }
    private let makeSimulation: @Sendable (Int, UInt64) throws -> Simulation
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
    /// Whether the transport is connected now.
    public private(set) var isConnected = false
    /// The input for future ticks: set it from the game, or use `inputSource`.
    public var currentInput: [UInt8] = []
    /// When set, asked for the input of each tick instead of `currentInput` (bots).
    public var inputSource: ((Tick) -> [UInt8])?
    private var nextInputTick: Tick?
    private var sentTicks = [Bool](repeating: false, count: 512)
    private var writer = WireWriter()
    private var pendingPings: [(value: UInt64, sentAt: UInt64)] = []

    /// A client for `configuration`; `simulation` builds the game state for (players, seed).
    ///
    /// - Parameter loop: the event loop for the socket (shared by many clients if you like).
    public init(
        configuration: ClientConfiguration, loop: EventLoop,
        simulation: @escaping @Sendable (Int, UInt64) throws -> Simulation
    ) {
        self.configuration = configuration
        transport = ClientTransport(configuration: configuration, loop: loop)
        makeSimulation = simulation
        inputDelay = InputDelayController(initial: 2, minimum: configuration.minimumInputDelay, maximum: configuration.maximumInputDelay)
    }

    /// Opens the connection (asynchronously; `poll()` reports what happens).
    public func connect() {
        transport.start()
    }

    /// Closes the connection for good.
    public func close() {
        transport.close()
    }

    /// Reconnects that succeeded so far (attempts that failed are not counted).
    public var reconnects: Int { transport.reconnects.load(ordering: .relaxed) }

    /// Drops the connection now, as a network failure would (tests and bots); it reconnects.
    public func simulateConnectionLoss() {
        transport.dropConnection()
    }

    /// The predicted state to render (or the confirmed one before any prediction).
    public var predicted: Simulation? { session?.predicted }

    /// Where the server's clock is now, in ticks: the tick due plus the fraction of the period
    /// elapsed since its deadline (for example 41.25). Feed it to a `SnapshotInterpolator` (push
    /// each state at its tick number, sample at this position minus a render delay) to render
    /// smoothly between ticks. `nil` before the match has a schedule.
    public func tickPosition(now: UInt64 = MonotonicInstant.now().nanoseconds) -> Double? {
        guard let schedule else { return nil }
        let serverNow = clock.serverTime(at: now)
        guard let due = schedule.tick(at: serverNow) else {
            return Double(schedule.baseTick.rawValue) - Double(schedule.epoch - serverNow) / Double(schedule.rate.periodNanoseconds)
        }
        let deadline = schedule.deadline(of: due)
        return Double(due.rawValue) + Double(serverNow - deadline) / (1e9 / Double(schedule.rate.rawValue))
    }

    /// Processes what arrived, sends due inputs, advances prediction; returns the events.
    ///
    /// - Parameter now: the client's monotonic time in ns (defaults to now).
    @discardableResult
    public func poll(now: UInt64 = MonotonicInstant.now().nanoseconds) -> [ClientEvent] {
        var events: [ClientEvent] = []
        for item in transport.take(upTo: now) {
            handle(item, now: now, events: &events)
        }
        guard let session, let schedule, let welcome else { return events }
        // The tick due now on the server's clock (nothing due before the epoch).
        let serverNow = clock.serverTime(at: now)
        let due = schedule.tick(at: serverNow)
        if let slot = welcome.slot, matchEnd == nil {
            let lastDue = due.map { Int($0.rawValue) } ?? Int(schedule.baseTick.rawValue) - 1
            let target = Tick(UInt32(truncatingIfNeeded: max(0, lastDue + inputDelay.delay)))
            var tick = nextInputTick ?? session.confirmedNext
            if tick < session.confirmedNext { tick = session.confirmedNext }
            while tick <= target {
                let payload = inputSource?(tick) ?? currentInput
                session.setLocalInput(payload, for: tick)
                writer.clear()
                ClientMessageEncoder.input(tick: tick, slot: slot, payload: payload, into: &writer)
                transport.send(writer.bytes)
                sentTicks[Int(tick.rawValue) % sentTicks.count] = true
                tick = tick.next
            }
            nextInputTick = tick
        }
        if let due { session.advance(to: due.next) }
        return events
    }

    private func handle(_ item: Inbound, now: UInt64, events: inout [ClientEvent]) {
        switch item {
        case .connected:
            isConnected = true
            pingNow(now)
        case .closed(let code, let willReconnect):
            isConnected = false
            events.append(.disconnected(code: code, willReconnect: willReconnect))
            let refused = code >= 4000 && code < 4100
            if !willReconnect && refused && matchEnd == nil { fail(.closed(code: code), events: &events) }
        case .reconnecting(let attempt, let delay):
            events.append(.reconnecting(attempt: attempt, delayNanos: delay))
        case .gaveUp(let attempts, let code):
            fail(.gaveUp(attempts: attempts, lastCloseCode: code), events: &events)
        case .message(let message):
            handle(message, now: now, events: &events)
        }
    }

    private func handle(_ message: ServerMessage, now: UInt64, events: inout [ClientEvent]) {
        switch message {
        case .welcome(let value):
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
                        maxPrediction: configuration.maxPrediction)
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
        }
    }

    /// Stops for good: records why, reports it, and closes the connection.
    private func fail(_ reason: ClientFailure, events: inout [ClientEvent]) {
        guard failure == nil else { return }
        failure = reason
        events.append(.failed(reason))
        transport.close()
    }

    private func confirm(_ frame: ConfirmedFrame, events: inout [ClientEvent]) {
        guard let session else { return }
        guard session.confirm(frame) else {
            events.append(.outOfSync(expected: session.confirmedNext, got: frame.tick))
            return
        }
        transport.lastConfirmed.store(Int64(session.confirmedNext.rawValue) - 1, ordering: .relaxed)
        if let welcome, welcome.hashInterval > 0, (Int(frame.tick.rawValue) + 1) % Int(welcome.hashInterval) == 0 {
            writer.clear()
            ClientMessageEncoder.stateHash(tick: frame.tick, hash: session.confirmed.hash(), into: &writer)
            transport.send(writer.bytes)
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
            writer.clear()
            ClientMessageEncoder.inputDelay(ticks: UInt16(inputDelay.delay), into: &writer)
            transport.send(writer.bytes)
            events.append(.inputDelayChanged(inputDelay.delay))
        }
    }

    private func pingNow(_ now: UInt64) {
        // The transport pings on its own timer; this first one seeds the clock estimate at once.
        writer.clear()
        ClientMessageEncoder.ping(clientTime: now, into: &writer)
        transport.send(writer.bytes)
    }
}

extension LockstepClient {
    /// Polls every `interval` ns on a background task and yields the events, until closed.
    public func events(pollEvery interval: UInt64 = 4_000_000) -> AsyncStream<ClientEvent> {
        AsyncStream { continuation in
            let task = Task { [self] in
                while !Task.isCancelled {
                    for event in poll() { continuation.yield(event) }
                    if matchEnd != nil || failure != nil {
                        continuation.finish()
                        return
                    }
                    try? await Task.sleep(nanoseconds: interval)
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// Connects, runs `body`, and closes the connection when `body` returns or throws.
    public static func withConnection<Result>(
        configuration: ClientConfiguration, loop: EventLoop, simulation: @escaping @Sendable (Int, UInt64) throws -> Simulation,
        _ body: (LockstepClient) async throws -> Result
    ) async rethrows -> Result {
        let client = LockstepClient(configuration: configuration, loop: loop, simulation: simulation)
        client.connect()
        defer { client.close() }
        return try await body(client)
    }
}
