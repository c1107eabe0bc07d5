import LockstepCore
import LockstepProtocol
import LockstepSimulation
import Testing

@testable import LockstepClient

/// A small game that is over at tick `overAt`, long before any tick limit: each tick adds every
/// slot's first payload byte to a running sum.
struct ShortMatch: DeterministicSimulation, Sendable {
    static let simulationID = "test.short"
    static let simulationVersion: UInt16 = 2
    static let overAt: UInt32 = 40

    var tick: UInt32 = 0
    var sum: UInt64

    init(players: Int, seed: UInt64) {
        sum = seed
    }

    mutating func step(_ frame: ConfirmedFrame) {
        for slot in 0..<frame.slotCount { sum = sum &* 31 &+ UInt64(frame.payload(of: slot).first ?? 0) }
        tick &+= 1
    }

    func hash() -> UInt64 {
        var hasher = StateHasher()
        hasher.combine(sum)
        hasher.combine(tick)
        return hasher.value
    }

    func snapshot() -> ShortMatch { self }
    mutating func restore(_ snapshot: ShortMatch) { self = snapshot }
    var isOver: Bool { tick >= Self.overAt }
}

/// The client and the room agree on the game, and the client ends a match its game says is over.
@Suite struct GameAgreementTests {
    typealias Core = LockstepClientCoreTests

    static func shortCore(reportsMatchOver: Bool = true) -> LockstepClientCore<ShortMatch> {
        var configuration = ClientConfiguration(port: 1, token: "tok")
        configuration.adaptiveInputDelay = false
        configuration.reportsMatchOver = reportsMatchOver
        let core = LockstepClientCore<ShortMatch>(configuration: configuration) { players, seed in ShortMatch(players: players, seed: seed) }
        core.currentInput = [1]
        core.start()
        _ = core.takeActions()
        return core
    }

    static func shortWelcome(slot: PlayerSlot? = PlayerSlot(0)) -> [UInt8] {
        Core.welcome(slot: slot, simulationID: ShortMatch.simulationID, simulationVersion: ShortMatch.simulationVersion)
    }

    @Test(arguments: [
        (ArenaSimulation.simulationID, ArenaSimulation.simulationVersion),
        (ShortMatch.simulationID, ShortMatch.simulationVersion + 1),
    ])
    func aWelcomeForAnotherGameOrVersionIsRefusedWithAFailureAndAClose(roomID: String, roomVersion: UInt16) {
        let core = Self.shortCore()
        var events: [ClientEvent] = []
        core.handle(.opened, now: Core.epoch - 1_000, events: &events)
        _ = core.takeActions()
        core.handle(.received(Core.welcome(simulationID: roomID, simulationVersion: roomVersion)), now: Core.epoch - 1_000, events: &events)
        let expected = ClientFailure.simulationMismatch(
            room: roomID, roomVersion: roomVersion, client: ShortMatch.simulationID, clientVersion: ShortMatch.simulationVersion)
        #expect(core.failure == expected)
        #expect(events.last == .failed(expected))
        #expect(expected.description == "the room plays \(roomID) version \(roomVersion), this client simulates test.short version 2")
        #expect(core.takeActions() == [.close])
        #expect(core.session == nil)
        // Never an input for the other game, and no reconnect when the connection closes.
        core.update(now: Core.epoch + Core.period, events: &events)
        core.handle(.closed(code: 1000), now: Core.epoch + Core.period, events: &events)
        core.update(now: Core.epoch + 100 * Core.period, events: &events)
        #expect(Core.sent(core.takeActions()).allSatisfy { !$0.hasPrefix("INPUT") })
        #expect(core.nextWakeup(now: Core.epoch + 100 * Core.period) == nil)
    }

    @Test func aWelcomeForTheSameGameAndVersionSeatsTheClient() {
        let core = Self.shortCore()
        var events: [ClientEvent] = []
        core.handle(.opened, now: Core.epoch - 1_000, events: &events)
        core.handle(.received(Self.shortWelcome()), now: Core.epoch - 1_000, events: &events)
        #expect(core.failure == nil)
        #expect(core.session != nil)
    }

    /// Feeds frames `ticks` (one slot input of 1 each for 2 slots) and updates the core.
    static func confirm(_ core: LockstepClientCore<ShortMatch>, _ ticks: Range<UInt32>, events: inout [ClientEvent]) -> [String] {
        for tick in ticks { core.handle(.received(Core.frame(tick, [[1], [1]])), now: Core.epoch, events: &events) }
        core.update(now: Core.epoch, events: &events)
        return Core.sent(core.takeActions()).filter { !$0.hasPrefix("INPUT") && $0 != "PING" }
    }

    @Test func theClientSendsMatchOverOnceWhenItsConfirmedStateIsOver() {
        let core = Self.shortCore()
        var events: [ClientEvent] = []
        core.handle(.opened, now: Core.epoch - 1_000, events: &events)
        core.handle(.received(Self.shortWelcome()), now: Core.epoch - 1_000, events: &events)
        #expect(Self.confirm(core, 0..<(ShortMatch.overAt - 1), events: &events).isEmpty)
        #expect(core.reportedMatchOver == nil)
        #expect(Self.confirm(core, (ShortMatch.overAt - 1)..<ShortMatch.overAt, events: &events) == ["MATCH_OVER \(ShortMatch.overAt - 1)"])
        #expect(core.reportedMatchOver == Tick(ShortMatch.overAt - 1))
        // A vote is never repeated.
        #expect(Self.confirm(core, ShortMatch.overAt..<(ShortMatch.overAt + 5), events: &events).isEmpty)
    }

    @Test func matchOverReportsCanBeTurnedOffAndSpectatorsNeverVote() {
        var events: [ClientEvent] = []
        let quiet = Self.shortCore(reportsMatchOver: false)
        quiet.handle(.opened, now: Core.epoch - 1_000, events: &events)
        quiet.handle(.received(Self.shortWelcome()), now: Core.epoch - 1_000, events: &events)
        #expect(Self.confirm(quiet, 0..<(ShortMatch.overAt + 5), events: &events).isEmpty)
        #expect(quiet.reportedMatchOver == nil)
        let spectator = Self.shortCore()
        spectator.handle(.opened, now: Core.epoch - 1_000, events: &events)
        spectator.handle(.received(Self.shortWelcome(slot: nil)), now: Core.epoch - 1_000, events: &events)
        #expect(Self.confirm(spectator, 0..<(ShortMatch.overAt + 5), events: &events).isEmpty)
    }

    @Test func leaveSendsLeaveThenClosesAndNeverReconnects() {
        let core = Self.shortCore()
        var events: [ClientEvent] = []
        core.handle(.opened, now: Core.epoch - 1_000, events: &events)
        core.handle(.received(Self.shortWelcome()), now: Core.epoch - 1_000, events: &events)
        _ = core.takeActions()
        core.leave()
        let actions = core.takeActions()
        #expect(Core.sent(actions) == ["LEAVE"])
        #expect(actions.last == .close)
        core.handle(.closed(code: 1000), now: Core.epoch, events: &events)
        core.update(now: Core.epoch + 100 * Core.period, events: &events)
        #expect(core.takeActions().isEmpty)
        #expect(core.nextWakeup(now: Core.epoch) == nil)
    }
}

/// The client takes the play URL the admin API answers.
@Suite struct PlayURLTests {
    @Test func aConfigurationFromThePlayURLHasItsHostPortAndRoom() throws {
        let configuration = try ClientConfiguration(url: "ws://10.0.0.2:8080/v1/play?room=r-1", token: "tok")
        #expect(configuration.host == "10.0.0.2")
        #expect(configuration.port == 8080)
        #expect(configuration.room == "r-1")
        #expect(configuration.token == "tok")
        let noPort = try ClientConfiguration(url: "ws://example.com/v1/play", token: "tok")
        #expect(noPort.port == 80)
        #expect(noPort.room == nil)
    }

    @Test func aSecureURLIsRefusedWithAnErrorThatSaysThereIsNoTLS() {
        #expect {
            try ClientConfiguration(url: "wss://play.example.com/v1/play?room=r", token: "tok")
        } throws: { error in
            guard let invalid = error as? PlayURL.Invalid else { return false }
            return invalid.needsTLS && "\(invalid)".contains("wss:// needs TLS, which this client does not have") && "\(invalid)".contains("docs/OPERATIONS.md")
        }
    }

    @Test(arguments: ["http://h:1/v1/play", "ws://:80/", "ws://h:99999/v1/play", "play.example.com"])
    func aURLThatIsNotAPlayURLIsRefused(url: String) {
        #expect(throws: PlayURL.Invalid(url: url)) { try ClientConfiguration(url: url, token: "tok") }
    }
}
