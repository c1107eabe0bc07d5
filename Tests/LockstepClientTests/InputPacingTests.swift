import LockstepCore
import LockstepProtocol
import LockstepReplay
import LockstepTesting
import Testing

@testable import LockstepClient

/// Inputs go out at their time from the transport's thread, whatever the game loop does.
@Suite struct InputPacerTests {
    typealias Core = LockstepClientCoreTests

    /// A seated ShortMatch player (slot 0, delay 2, 10 Hz, tick 0 due at the epoch) playing `currentInput`.
    static func seated() -> LockstepClientCore<ShortMatch> {
        let core = GameAgreementTests.shortCore()
        var events: [ClientEvent] = []
        core.handle(.opened, now: Core.epoch - 1_000, events: &events)
        core.handle(.received(GameAgreementTests.shortWelcome()), now: Core.epoch - 1_000, events: &events)
        core.handle(.received(Core.pong(at: Core.epoch - 1_000)), now: Core.epoch - 1_000, events: &events)
        core.update(now: Core.epoch - 1_000, events: &events)
        _ = core.takeActions()
        return core
    }

    @Test func thePacerSendsEachTickOnceAtItsDeadlineAndTheCoreDoesNotSendItAgain() throws {
        let core = Self.seated()
        var events: [ClientEvent] = []
        // Before tick 0 is due the core sent ticks 0 and 1 (delay 2); tick 2 is due with tick 0.
        #expect(core.pacer.nextDeadline() == Core.epoch)
        core.currentInput = [3]
        // The game loop stalls: the transport alone sends ticks 2 to 4 at their deadlines, with the latest input.
        let sent = core.pacer.takeDue(now: Core.epoch + 2 * Core.period)
        #expect(Core.sent(sent.map { .send($0) }) == ["INPUT 2 slot 0", "INPUT 3 slot 0", "INPUT 4 slot 0"])
        #expect(sent.allSatisfy { $0.last == 3 })
        #expect(core.pacer.nextDeadline() == Core.epoch + 3 * Core.period)
        #expect(core.pacer.takeDue(now: Core.epoch + 3 * Core.period - 1).isEmpty)
        // The game polls again: nothing is sent twice, and the prediction uses what was sent.
        core.update(now: Core.epoch + 2 * Core.period, events: &events)
        #expect(Core.sent(core.takeActions()).filter { $0.hasPrefix("INPUT") }.isEmpty)
        let session = try #require(core.session)
        #expect(Array(session.predictFrame(Tick(3)).payload(of: 0)) == [3])
        // The core sends the next tick itself when it is polled first.
        core.update(now: Core.epoch + 3 * Core.period, events: &events)
        #expect(Core.sent(core.takeActions()).filter { $0.hasPrefix("INPUT") } == ["INPUT 5 slot 0"])
    }

    /// A reconnected player catching up: the transport sends nothing for the ticks the room
    /// said (in a PONG) it had confirmed, only from the first one it had not.
    @Test func thePacerSendsNothingForATickTheRoomHasConfirmed() {
        let core = Self.seated()
        var events: [ClientEvent] = []
        let now = Core.epoch + 40 * Core.period
        core.handle(.received(Core.pong(at: now, nextTick: Tick(39))), now: now, events: &events)
        core.update(now: now - 40 * Core.period, events: &events)  // publishes the plan, sends nothing new
        #expect(core.takeActions().isEmpty)
        let sent = core.pacer.takeDue(now: now)
        #expect(Core.sent(sent.map { .send($0) }) == ["INPUT 39 slot 0", "INPUT 40 slot 0", "INPUT 41 slot 0", "INPUT 42 slot 0"])
    }

    @Test func thePacerSendsNothingWhenDisconnectedClosedOrDrivenByAnInputSource() {
        var events: [ClientEvent] = []
        let dropped = Self.seated()
        dropped.handle(.closed(code: 1006), now: Core.epoch, events: &events)
        #expect(dropped.pacer.nextDeadline() == nil)
        #expect(dropped.pacer.takeDue(now: Core.epoch + 10 * Core.period).isEmpty)
        let closed = Self.seated()
        closed.close()
        #expect(closed.pacer.takeDue(now: Core.epoch + 10 * Core.period).isEmpty)
        let bot = Self.seated()
        bot.inputSource = { _ in [1] }
        bot.update(now: Core.epoch, events: &events)
        #expect(bot.pacer.takeDue(now: Core.epoch + 10 * Core.period).isEmpty)
    }
}

/// Through the server: a game loop that stalls still has its inputs on time.
@Suite(.serialized) struct InputPacingEndToEndTests {
    /// Player 0's game loop does not poll while player 1 confirms ticks 30 to 100 (over a second
    /// at 60 Hz): its transport (either) still sends every input at its time from the latest input,
    /// so every frame of the match holds slot 0's input on time (status 0), none filled or moved.
    /// An input delay of 6 ticks (100 ms, not the default 33) keeps a pause of the whole machine
    /// (tens of ms on a busy CI host) from making an input late; the stall is 70 ticks either way.
    @Test(arguments: TransportEndToEndTests.Kind.allCases)
    func aStalledGameLoopStillHasItsInputsOnTime(kind: TransportEndToEndTests.Kind) throws {
        let server = try TestBattleServer()
        defer { server.stop() }
        let room = try server.admin.createRoom([
            "players": 2, "tickRate": 60, "inputDelay": 6, "maxTicks": 160, "seed": 4,
            "simulation": ShortMatch.simulationID, "simulationVersion": Int(ShortMatch.simulationVersion),
        ])
        let clients = try (0..<2).map { slot in
            var configuration = try ClientConfiguration(url: room.url, token: room.tokens[slot])
            configuration.reportsMatchOver = false
            let transport = TransportEndToEndTests.makeTransport(kind, configuration, server: server)
            let client = LockstepClient<ShortMatch>(configuration: configuration, transport: transport) {
                players, seed in ShortMatch(players: players, seed: seed)
            }
            client.currentInput = [UInt8(slot + 1)]
            return client
        }
        defer { for client in clients { client.close() } }
        for client in clients { client.connect() }
        var stalledThrough: UInt32 = 0
        #expect(eventually(30) {
            let tick = clients[1].session?.confirmedNext.rawValue ?? 0
            if (30..<100).contains(tick) {
                stalledThrough = max(stalledThrough, tick)
            } else {
                clients[0].poll()
            }
            clients[1].poll()
            return clients.allSatisfy { $0.matchEnd != nil || $0.failure != nil }
        })
        #expect(stalledThrough >= 99, "player 0's loop stalled until tick \(stalledThrough)")
        for client in clients {
            #expect(client.matchEnd == .tickLimit)
            #expect(client.failure == nil)
        }
        let path = server.replayDirectory + "/" + room.roomID + ".lsr"
        #expect(eventually(10) { (try? ReplayReader.read(try readReplayFile(path)))?.footer != nil })
        let replay = try ReplayReader.read(try readReplayFile(path))
        #expect(replay.frameCount == 160)
        let late = (0..<replay.frameCount).filter { replay.frame(at: $0).status(of: 0) != .onTime }
        #expect(late.isEmpty, "slot 0 not on time at ticks \(late)")
        #expect((0..<replay.frameCount).allSatisfy { Array(replay.frame(at: $0).payload(of: 0)) == [1] })
    }
}
