import LockstepCore
import LockstepProtocol
import Synchronization

/// A game client for one room: a `LockstepClientCore` (the protocol, with no I/O) driven over a
/// `ClientTransport` (the socket).
///
/// **Poll style** (game loops): call `poll()` once per rendered frame on the game thread; it
/// processes what arrived, sends this client's inputs just in time for their deadlines, advances
/// the prediction to the server's current tick, and returns the events. Read `predicted` to
/// render and `session.confirmed` for the authoritative state. **Async style** (tools):
/// `events()` is an `AsyncStream` woken by the transport. Close with `close()`, or use
/// `withConnection` to have it closed when the scope ends.
///
/// The socket lives on the transport's thread; everything else is confined to the thread that
/// calls `poll()` (one thread at a time; hence `@unchecked Sendable`).
public final class LockstepClient<Simulation: DeterministicSimulation>: @unchecked Sendable {
    public let configuration: ClientConfiguration
    /// The protocol and session logic.
    public let core: LockstepClientCore<Simulation>
    /// The connection.
    public let transport: any ClientTransport
    private let confirmedTick = Atomic<Int64>(-1)

    /// A client for `configuration` over `transport`; `simulation` builds the game state for
    /// (players, seed).
    public init(
        configuration: ClientConfiguration, transport: any ClientTransport,
        simulation: @escaping @Sendable (Int, UInt64) throws -> Simulation
    ) {
        self.configuration = configuration
        self.transport = transport
        core = LockstepClientCore(configuration: configuration, simulation: simulation)
        transport.pace(core.pacer)
    }

    /// A client let go without `close()` closes its connection (and a `SocketTransport` its thread).
    deinit {
        transport.close()
    }

    /// A client over its own `SocketTransport` (one connection, plain sockets and `poll(2)`: what
    /// a game needs, on Linux and Apple platforms).
    public convenience init(configuration: ClientConfiguration, simulation: @escaping @Sendable (Int, UInt64) throws -> Simulation) {
        self.init(configuration: configuration, transport: SocketTransport(configuration: configuration), simulation: simulation)
    }

    /// Opens the connection (asynchronously; `poll()` reports what happens).
    public func connect() {
        core.start()
        perform()
    }

    /// Closes the connection for good.
    public func close() {
        core.close()
        perform()
    }

    /// Leaves the match for good: sends LEAVE, then closes the connection (no reconnect).
    public func leave() {
        core.leave()
        perform()
    }

    /// Drops the connection now, as a network failure would (tests and bots); it reconnects.
    public func simulateConnectionLoss() {
        transport.drop()
    }

    /// The prediction session, once the WELCOME has arrived.
    public var session: PredictionSession<Simulation>? { core.session }
    /// The room's settings as the WELCOME gave them.
    public var welcome: Welcome? { core.welcome }
    /// The tick schedule, once the match has started.
    public var schedule: TickSchedule? { core.schedule }
    /// The clock estimate.
    public var clock: ClockSynchronizer { core.clock }
    /// The adaptive input delay.
    public var inputDelay: InputDelayController { core.inputDelay }
    /// The match's end, once it happened.
    public var matchEnd: MatchEndReason? { core.matchEnd }
    /// Desyncs announced for this client's slot.
    public var desyncs: [RoomEvent] { core.desyncs }
    /// Why the client stopped before its match ended, if it did (it then connects no more).
    public var failure: ClientFailure? { core.failure }
    /// Whether the transport is connected now.
    public var isConnected: Bool { core.isConnected }
    /// Reconnects that succeeded so far (attempts that failed are not counted).
    public var reconnects: Int { core.reconnects }
    /// The predicted state to render (or the confirmed one before any prediction).
    public var predicted: Simulation? { core.predicted }
    /// The input for future ticks: set it from the game, or use `inputSource`.
    public var currentInput: [UInt8] {
        get { core.currentInput }
        set { core.currentInput = newValue }
    }
    /// When set, asked for the input of each tick instead of `currentInput` (bots).
    public var inputSource: ((Tick) -> [UInt8])? {
        get { core.inputSource }
        set { core.inputSource = newValue }
    }

    /// The last confirmed tick (−1: none); readable from any thread, for progress displays.
    public var confirmedTickFromAnyThread: Int64 { confirmedTick.load(ordering: .relaxed) }

    /// Where the server's clock is now, in ticks: the tick due plus the fraction of the period
    /// elapsed since its deadline (for example 41.25). Feed it to a `SnapshotInterpolator` (push
    /// each state at its tick number, sample at this position minus a render delay) to render
    /// smoothly between ticks. `nil` before the match has a schedule.
    public func tickPosition(now: UInt64 = ClientClock.now()) -> Double? {
        core.tickPosition(now: now)
    }

    /// Processes what arrived, sends due inputs, advances prediction; returns the events.
    ///
    /// - Parameter now: the client's monotonic time in ns (defaults to now).
    @discardableResult
    public func poll(now: UInt64 = ClientClock.now()) -> [ClientEvent] {
        var events: [ClientEvent] = []
        for event in transport.take(upTo: now) {
            core.handle(event, now: now, events: &events)
        }
        core.update(now: now, events: &events)
        perform()
        confirmedTick.store((core.session.map { Int64($0.confirmedNext.rawValue) } ?? 0) - 1, ordering: .relaxed)
        return events
    }

    /// Hands the core's actions to the transport.
    private func perform() {
        for action in core.takeActions() {
            switch action {
            case .send(let bytes): transport.send(bytes)
            case .connect(let hello): transport.open(hello: hello)
            case .redirect(let url): transport.redirect(to: url)
            case .close: transport.close()
            }
        }
    }
}

extension LockstepClient {
    /// The client's events as they happen, until the match ends or the client fails: an async
    /// sequence driven by the transport (see `ClientEventStream`), with no polling timer.
    public func events() -> ClientEventStream<Simulation> {
        ClientEventStream(client: self)
    }

    /// Connects, runs `body`, and closes the connection when `body` returns or throws.
    public static func withConnection<Result>(
        configuration: ClientConfiguration, transport: any ClientTransport,
        simulation: @escaping @Sendable (Int, UInt64) throws -> Simulation,
        _ body: (LockstepClient) async throws -> Result
    ) async rethrows -> Result {
        let client = LockstepClient(configuration: configuration, transport: transport, simulation: simulation)
        client.connect()
        defer { client.close() }
        return try await body(client)
    }
}
