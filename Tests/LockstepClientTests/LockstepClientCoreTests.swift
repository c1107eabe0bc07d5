import LockstepCore
import LockstepProtocol
import LockstepSimulation
import Testing

@testable import LockstepClient

/// The sans-I/O core, with no socket at all: fed server messages and times, it answers with the
/// messages it wants sent and the events.
@Suite struct LockstepClientCoreTests {
    static let epoch: UInt64 = 10_000_000_000
    static let period: UInt64 = 100_000_000  // 10 Hz

    static func makeCore(reconnectPolicy: ReconnectPolicy = ReconnectPolicy(baseNanos: 50_000_000, jitterPermille: 0, maxAttempts: 2))
        -> LockstepClientCore<ArenaSimulation>
    {
        var configuration = ClientConfiguration(port: 1, token: "tok")
        configuration.reconnectPolicy = reconnectPolicy
        configuration.adaptiveInputDelay = false
        let core = LockstepClientCore<ArenaSimulation>(configuration: configuration) { players, seed in
            try ArenaSimulation(players: players, seed: seed)
        }
        core.inputSource = { tick in [UInt8(truncatingIfNeeded: tick.rawValue), 0, 0, 0, 0, 0] }
        return core
    }

    static func welcome(
        hashInterval: UInt16 = 0, players: UInt8 = 2, epoch: UInt64 = epoch, slot: PlayerSlot? = PlayerSlot(0),
        simulationID: String = ArenaSimulation.simulationID, simulationVersion: UInt16 = ArenaSimulation.simulationVersion,
        nextTick: Tick = .zero, serverTime: UInt64 = epoch - 1_000_000_000
    ) -> [UInt8] {
        let value = Welcome(
            role: slot == nil ? .spectator : .player, slot: slot, playerCount: players, tickRate: 10, inputDelay: 2, leadWindow: 8, payloadLimit: 64,
            hashInterval: hashInterval, spectatorDelay: 0, seed: 9, simulationVersion: simulationVersion, phase: .running, nextTick: nextTick,
            schedule: WireSchedule(baseTick: .zero, epoch: epoch, tickRate: 10), serverTime: serverTime, roomID: "r",
            simulationID: simulationID)
        var writer = WireWriter()
        ServerMessageEncoder.welcome(value, into: &writer)
        return writer.bytes
    }

    /// The PONG to a PING sent at client time `now` and answered at once by a server whose clock
    /// reads `offset` ns more than the client's.
    static func pong(at now: UInt64, offset: Int64 = 0, nextTick: Tick = .zero) -> [UInt8] {
        var writer = WireWriter()
        ServerMessageEncoder.pong(
            clientTime: now, serverTime: UInt64(bitPattern: Int64(bitPattern: now) &+ offset), nextTick: nextTick, into: &writer)
        return writer.bytes
    }

    /// A FRAME for `tick` with a payload per slot.
    static func frame(_ tick: UInt32, _ payloads: [[UInt8]]) -> [UInt8] {
        var frame = ConfirmedFrame(tick: Tick(tick))
        for payload in payloads { frame.append(status: .onTime, payload: payload) }
        var writer = WireWriter()
        ServerMessageEncoder.frame(frame, into: &writer)
        return writer.bytes
    }

    static func event(_ event: RoomEvent) -> [UInt8] {
        var writer = WireWriter()
        ServerMessageEncoder.event(event, tick: .zero, into: &writer)
        return writer.bytes
    }

    /// The connects the core asked for, described by their HELLO.
    static func connects(_ actions: [ClientAction]) -> [String] {
        sent(actions.compactMap { if case .connect(let hello) = $0 { .send(hello) } else { nil } })
    }

    /// The messages the core asked to send, described ("HELLO tok last=4", "INPUT 3", "PING", "HASH 9").
    static func sent(_ actions: [ClientAction]) -> [String] {
        actions.compactMap { action -> String? in
            guard case .send(let bytes) = action else { return nil }
            return bytes.withUnsafeBytes { raw -> String in
                switch try? ClientMessage.decode(raw) {
                case .hello(let hello): "HELLO \(hello.token) last=\(hello.lastTick.map { "\($0.rawValue)" } ?? "none")"
                case .input(let tick, let slot, _): "INPUT \(tick.rawValue) slot \(slot.rawValue)"
                case .ping: "PING"
                case .stateHash(let tick, _): "HASH \(tick.rawValue)"
                case .inputDelay(let ticks): "DELAY \(ticks)"
                case .leave: "LEAVE"
                case .matchOver(let tick): "MATCH_OVER \(tick.rawValue)"
                default: "OTHER"
                }
            }
        }
    }

    /// Connects the core and seats it: WELCOME for slot 0 of 2, inputs from tick 0 at 10 Hz.
    static func seated(hashInterval: UInt16 = 0) -> LockstepClientCore<ArenaSimulation> {
        let core = makeCore()
        var events: [ClientEvent] = []
        core.start()
        core.handle(.opened, now: epoch - 50_000_000, events: &events)
        core.handle(.received(welcome(hashInterval: hashInterval)), now: epoch - 50_000_000, events: &events)
        core.handle(.received(pong(at: epoch - 50_000_000)), now: epoch - 50_000_000, events: &events)
        _ = core.takeActions()
        return core
    }

    @Test func theCoreAsksToConnectWithItsHelloThenPingsWhenTheConnectionOpens() {
        let core = Self.makeCore()
        core.start()
        #expect(Self.connects(core.takeActions()) == ["HELLO tok last=none"])
        var events: [ClientEvent] = []
        core.handle(.opened, now: 1_000, events: &events)
        #expect(Self.sent(core.takeActions()) == ["PING"])
        #expect(core.isConnected)
        // The next ping waits for its interval.
        core.update(now: 2_000, events: &events)
        #expect(core.takeActions().isEmpty)
        core.update(now: 1_000 + core.configuration.pingIntervalNanos, events: &events)
        #expect(Self.sent(core.takeActions()) == ["PING"])
    }

    @Test func inputsAreSentForEveryTickDueWithTheInputDelayAhead() {
        let core = Self.seated()
        var events: [ClientEvent] = []
        // Before tick 0 is due, with a delay of 2, ticks 0 and 1 are sent; tick 2 at tick 0's deadline.
        core.update(now: Self.epoch - 1, events: &events)
        #expect(Self.sent(core.takeActions()) == ["INPUT 0 slot 0", "INPUT 1 slot 0"])
        core.update(now: Self.epoch, events: &events)
        #expect(Self.sent(core.takeActions()) == ["INPUT 2 slot 0"])
        // Nothing new until the next deadline, then one tick per period.
        core.update(now: Self.epoch + Self.period - 1, events: &events)
        #expect(core.takeActions().isEmpty)
        #expect(core.nextWakeup(now: Self.epoch + 1) == Self.epoch + Self.period)
        core.update(now: Self.epoch + Self.period, events: &events)
        #expect(Self.sent(core.takeActions()) == ["INPUT 3 slot 0"])
        core.update(now: Self.epoch + 3 * Self.period, events: &events)
        #expect(Self.sent(core.takeActions()) == ["INPUT 4 slot 0", "INPUT 5 slot 0"])
        #expect(core.session?.head == Tick(4))
    }

    @Test func aWaitingRoomSendsNoInputUntilTheScheduleArrives() {
        let core = Self.makeCore()
        var events: [ClientEvent] = []
        core.start()
        core.handle(.opened, now: Self.epoch - 1_000, events: &events)
        // Seated before the match starts: the WELCOME has no schedule yet (epoch 0).
        core.handle(.received(Self.welcome(epoch: 0)), now: Self.epoch - 1_000, events: &events)
        core.handle(.received(Self.pong(at: Self.epoch - 1_000)), now: Self.epoch - 1_000, events: &events)
        _ = core.takeActions()
        core.update(now: Self.epoch + Self.period, events: &events)
        #expect(core.schedule == nil)
        #expect(core.takeActions().isEmpty)
        var writer = WireWriter()
        ServerMessageEncoder.schedule(WireSchedule(baseTick: .zero, epoch: Self.epoch + 2 * Self.period, tickRate: 10), into: &writer)
        core.handle(.received(writer.bytes), now: Self.epoch + Self.period, events: &events)
        #expect(events.contains { if case .schedule = $0 { true } else { false } })
        // Before tick 0 is due the inputs for the first ticks go at once (ticks 0 and 1 with a delay of 2).
        core.update(now: Self.epoch + Self.period, events: &events)
        #expect(Self.sent(core.takeActions()) == ["INPUT 0 slot 0", "INPUT 1 slot 0"])
    }

    /// A player joins a match at tick 500 (`next tick` 500 in the WELCOME), on a machine whose
    /// clock reads 7 s less than the server's; the frames from tick 0 come after the WELCOME.
    @Test func aLateJoinSendsNoInputForATickAlreadyDueOrConfirmedAndNoneBeforeTheFirstPong() {
        let core = Self.makeCore()
        var events: [ClientEvent] = []
        let offset: Int64 = 7_000_000_000
        let serverNow = Self.epoch + 500 * Self.period + Self.period / 2  // tick 500 due
        let now = serverNow - UInt64(offset)
        core.start()
        core.handle(.opened, now: now, events: &events)
        #expect(Self.sent(core.takeActions()) == ["PING"])
        core.handle(.received(Self.welcome(nextTick: Tick(500), serverTime: serverNow)), now: now, events: &events)
        // No input until the PONG: the client's clock is not the server's.
        core.update(now: now, events: &events)
        #expect(core.takeActions().isEmpty)
        #expect(core.pacer.nextDeadline() == nil)
        core.handle(.received(Self.pong(at: now, offset: offset, nextTick: Tick(500))), now: now, events: &events)
        core.update(now: now, events: &events)
        // Ticks up to 500 are confirmed or due: only ticks 501 and 502 (delay 2) go out.
        #expect(Self.sent(core.takeActions()) == ["INPUT 501 slot 0", "INPUT 502 slot 0"])
        // The catch-up from tick 0 sends nothing for the ticks it confirms, then play goes on.
        for tick in UInt32(0)..<500 {
            core.handle(.received(Self.frame(tick, [[0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0]])), now: now, events: &events)
        }
        core.update(now: now, events: &events)
        #expect(core.takeActions().isEmpty)
        core.update(now: now + Self.period, events: &events)
        #expect(Self.sent(core.takeActions()) == ["INPUT 503 slot 0"])
    }

    /// A client woken four periods late (a stalled thread) still sends the ticks that are due by
    /// its clock but not known to be confirmed (the room's timer may be late too), and none that a
    /// PONG said the room had confirmed.
    @Test func aClientWokenLateSendsOnlyTheTicksNotKnownToBeConfirmed() {
        let core = Self.seated()
        var events: [ClientEvent] = []
        core.update(now: Self.epoch - 1_000, events: &events)
        #expect(Self.sent(core.takeActions()) == ["INPUT 0 slot 0", "INPUT 1 slot 0"])
        core.update(now: Self.epoch + 4 * Self.period, events: &events)
        #expect(Self.sent(core.takeActions()) == ["INPUT 2 slot 0", "INPUT 3 slot 0", "INPUT 4 slot 0", "INPUT 5 slot 0", "INPUT 6 slot 0"])
        core.handle(.received(Self.pong(at: Self.epoch + 9 * Self.period, nextTick: Tick(9))), now: Self.epoch + 9 * Self.period, events: &events)
        core.update(now: Self.epoch + 9 * Self.period, events: &events)
        #expect(Self.sent(core.takeActions()).filter { $0 != "PING" } == ["INPUT 9 slot 0", "INPUT 10 slot 0", "INPUT 11 slot 0"])
    }

    @Test func aFrameThatContradictsThePredictionRollsBackAndTheStateIsTheConfirmedOne() throws {
        let core = Self.seated()
        var events: [ClientEvent] = []
        let input: (UInt32) -> [UInt8] = { [UInt8(truncatingIfNeeded: $0), 0, 0, 0, 0, 0] }
        core.handle(.received(Self.frame(0, [input(0), [0, 0, 0, 0, 0, 0]])), now: Self.epoch, events: &events)
        // Predict up to tick 4 (remote slot 1 repeats its last input: still).
        core.update(now: Self.epoch + 3 * Self.period, events: &events)
        #expect(core.session?.head == Tick(4))
        #expect(core.session?.statistics.rollbacks == 0)
        // Slot 1 actually moved at tick 1: a rollback on the next update.
        core.handle(.received(Self.frame(1, [input(1), [127, 0, 0, 0, 0, 0]])), now: Self.epoch + 3 * Self.period, events: &events)
        core.update(now: Self.epoch + 3 * Self.period, events: &events)
        let session = try #require(core.session)
        #expect(session.statistics.rollbacks == 1)
        #expect(session.statistics.maxDepth == 2)
        // The confirmed state is exactly the two frames applied to a fresh simulation.
        var expected = try ArenaSimulation(players: 2, seed: 9)
        var frame0 = ConfirmedFrame(tick: .zero)
        frame0.append(status: .onTime, payload: input(0))
        frame0.append(status: .onTime, payload: [0, 0, 0, 0, 0, 0] as [UInt8])
        var frame1 = ConfirmedFrame(tick: Tick(1))
        frame1.append(status: .onTime, payload: input(1))
        frame1.append(status: .onTime, payload: [127, 0, 0, 0, 0, 0] as [UInt8])
        expected.step(frame0)
        expected.step(frame1)
        #expect(session.confirmed.hash() == expected.hash())
    }

    @Test func aStateHashIsReportedEveryHashInterval() {
        let core = Self.seated(hashInterval: 2)
        var events: [ClientEvent] = []
        for tick in UInt32(0)..<4 {
            core.handle(.received(Self.frame(tick, [[0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0]])), now: Self.epoch, events: &events)
        }
        #expect(Self.sent(core.takeActions()) == ["HASH 1", "HASH 3"])
    }

    /// PROTOCOL.md: spectators send nothing but PING and LEAVE.
    @Test func aSpectatorSendsNoStateHash() {
        let core = Self.makeCore()
        var events: [ClientEvent] = []
        core.start()
        core.handle(.opened, now: Self.epoch, events: &events)
        core.handle(.received(Self.welcome(hashInterval: 2, slot: nil)), now: Self.epoch, events: &events)
        core.handle(.received(Self.pong(at: Self.epoch)), now: Self.epoch, events: &events)
        for tick in UInt32(0)..<8 {
            core.handle(.received(Self.frame(tick, [[0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0]])), now: Self.epoch, events: &events)
            core.update(now: Self.epoch + UInt64(tick) * Self.period, events: &events)
        }
        core.leave()
        #expect(core.session?.confirmedNext == Tick(8))
        #expect(Self.sent(core.takeActions()).filter { $0 != "PING" } == ["LEAVE"])
    }

    @Test func aLostConnectionReconnectsAfterTheBackoffWithTheLastConfirmedTick() {
        let core = Self.seated()
        var events: [ClientEvent] = []
        for tick in UInt32(0)..<5 {
            core.handle(.received(Self.frame(tick, [[0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0]])), now: Self.epoch, events: &events)
        }
        _ = core.takeActions()
        core.handle(.closed(code: 1006), now: Self.epoch + 500_000_000, events: &events)
        #expect(events.contains(.disconnected(code: 1006, willReconnect: true)))
        #expect(events.contains(.reconnecting(attempt: 1, delayNanos: 50_000_000)))
        #expect(!core.isConnected)
        // No input is sent while disconnected, and no connect before the backoff has passed.
        core.update(now: Self.epoch + 549_999_999, events: &events)
        #expect(core.takeActions().isEmpty)
        #expect(core.nextWakeup(now: Self.epoch + 500_000_000) == Self.epoch + 550_000_000)
        core.update(now: Self.epoch + 550_000_000, events: &events)
        #expect(Self.connects(core.takeActions()) == ["HELLO tok last=4"])
        core.handle(.opened, now: Self.epoch + 560_000_000, events: &events)
        #expect(Self.sent(core.takeActions()) == ["PING"])
        #expect(core.reconnects == 1)
    }

    @Test func theClientGivesUpOnceThePolicysAttemptsAreSpent() {
        let core = Self.seated()
        var events: [ClientEvent] = []
        var now = Self.epoch
        for _ in 0..<2 {
            core.handle(.closed(code: 1006), now: now, events: &events)
            now += 1_000_000_000
            core.update(now: now, events: &events)
            #expect(Self.connects(core.takeActions()).count == 1)
        }
        core.handle(.closed(code: 1006), now: now, events: &events)
        #expect(core.failure == .gaveUp(attempts: 2, lastCloseCode: 1006))
        #expect(events.last == .failed(.gaveUp(attempts: 2, lastCloseCode: 1006)))
        #expect(core.takeActions() == [.close])
        #expect(core.nextWakeup(now: now) == nil)
    }

    @Test func aRefusalOrTheMatchEndIsNotReconnected() {
        let refused = Self.seated()
        var events: [ClientEvent] = []
        refused.handle(.closed(code: 4010), now: Self.epoch, events: &events)
        #expect(refused.failure == .closed(code: 4010))
        #expect(refused.takeActions() == [.close])

        let ended = Self.seated()
        events = []
        ended.handle(.received(Self.event(.matchEnd(reason: .tickLimit))), now: Self.epoch, events: &events)
        ended.handle(.closed(code: 1006), now: Self.epoch, events: &events)
        #expect(events.contains(.disconnected(code: 1006, willReconnect: false)))
        #expect(ended.failure == nil && ended.matchEnd == .tickLimit)
        ended.update(now: Self.epoch + 10_000_000_000, events: &events)
        #expect(Self.connects(ended.takeActions()).isEmpty)
    }

    @Test func garbageFromThePeerIsIgnored() {
        let core = Self.seated()
        var events: [ClientEvent] = []
        core.handle(.received([]), now: Self.epoch, events: &events)
        core.handle(.received([0xFF, 1, 2, 3]), now: Self.epoch, events: &events)
        core.handle(.received(Array(Self.welcome().prefix(7))), now: Self.epoch, events: &events)
        #expect(events.isEmpty)
        #expect(core.failure == nil)
    }

    struct ConstantPredictor: InputPredictor {
        func predict(slot: Int, tick: Tick, lastConfirmed: ArraySlice<UInt8>, lastStatus: InputStatus) -> [UInt8] { [42, 0, 0, 0, 0, 0] }
    }

    @Test func theConfiguredInputPredictorGuessesTheRemoteInputs() throws {
        var configuration = ClientConfiguration(port: 1, token: "tok")
        configuration.inputPredictor = ConstantPredictor()
        let core = LockstepClientCore<ArenaSimulation>(configuration: configuration) { players, seed in
            try ArenaSimulation(players: players, seed: seed)
        }
        var events: [ClientEvent] = []
        core.handle(.opened, now: 0, events: &events)
        core.handle(.received(Self.welcome()), now: 0, events: &events)
        let session = try #require(core.session)
        #expect(Array(session.predictFrame(Tick(3)).payload(of: 1)) == [42, 0, 0, 0, 0, 0])
    }

    @Test func theSyncTestOptionReportsTheFirstTickWhoseResimulationDisagrees() throws {
        var configuration = ClientConfiguration(port: 1, token: "tok")
        configuration.syncTestDistance = 3
        let core = LockstepClientCore<NonDeterministicSimulation>(configuration: configuration) { players, seed in
            NonDeterministicSimulation(players: players, seed: seed)
        }
        var events: [ClientEvent] = []
        core.handle(.opened, now: 0, events: &events)
        core.handle(
            .received(Self.welcome(players: 1, simulationID: NonDeterministicSimulation.simulationID, simulationVersion: 1)), now: 0,
            events: &events)
        for tick in UInt32(0)..<100 {
            core.handle(.received(Self.frame(tick, [[UInt8(tick % 7)]])), now: 0, events: &events)
        }
        let failures = events.compactMap { event -> Tick? in
            if case .syncTestFailed(let tick, let first, let resimulated) = event, first != resimulated { tick } else { nil }
        }
        // Reported once: the hidden state starts to matter at tick 50.
        #expect(failures.count == 1)
        #expect((49...53).contains(try #require(failures.first).rawValue))
        #expect(core.syncTestMismatch == failures.first)
    }

    @Test func theArenaPassesTheSyncTestOptionOverAMatchsFrames() {
        var configuration = ClientConfiguration(port: 1, token: "tok")
        configuration.syncTestDistance = 4
        let core = LockstepClientCore<ArenaSimulation>(configuration: configuration) { players, seed in
            try ArenaSimulation(players: players, seed: seed)
        }
        var events: [ClientEvent] = []
        core.handle(.opened, now: 0, events: &events)
        core.handle(.received(Self.welcome()), now: 0, events: &events)
        for frame in PredictionSessionTests.frames(players: 2, ticks: 200, seed: 9) {
            var writer = WireWriter()
            ServerMessageEncoder.frame(frame, into: &writer)
            core.handle(.received(writer.bytes), now: 0, events: &events)
        }
        #expect(core.session?.confirmedNext == Tick(200))
        #expect(core.syncTestMismatch == nil)
    }
}
