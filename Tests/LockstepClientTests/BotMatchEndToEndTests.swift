import LockstepCore
import LockstepProtocol
import LockstepReplay
import LockstepSimulation
import LockstepTesting
import Testing

#if canImport(Glibc)
import Glibc
#endif
@testable import LockstepClient
import LockstepBots

@Suite(.serialized) struct BotMatchEndToEndTests {
    /// The final hash the verifier computes from the server's replay of `room` (the server
    /// finishes the file just after it announces the end: wait for it).
    static func finalHashFromServerReplay(_ server: TestBattleServer, room: String) throws -> UInt64 {
        let path = server.replayDirectory + "/" + room + ".lsr"
        #expect(eventually(10) { (try? ReplayReader.read(try readReplayFile(path))) != nil })
        let replay = try ReplayReader.read(try readReplayFile(path))
        let report = try ReplayVerifier.verify(replay, using: .reference)
        #expect(report.isOK)
        return report.finalHash
    }

    /// Four bots with prediction and rollback, 25 ms ± 15 ms of added latency each way: every bot
    /// ends with the hash the verifier computes from the server's replay, and rollbacks happened.
    @Test func fourBotsWithLatencyAndJitterEndWithTheReplaysHash() throws {
        let server = try TestBattleServer()
        defer { server.stop() }
        var options = BotRunner.Options(port: server.port, adminKey: server.adminKey)
        options.players = 4
        options.tickRate = 60
        options.ticks = 360
        options.seed = 77
        options.latencyNanos = 25_000_000
        options.jitterNanos = 15_000_000
        options.timeoutNanos = 30_000_000_000
        let runner = try BotRunner(options: options)
        defer { runner.stop() }
        try runner.start()
        #expect(runner.wait())
        let reports = runner.reports()
        let expected = try Self.finalHashFromServerReplay(server, room: runner.roomIDs[0])
        #expect(reports.count == 4)
        for report in reports {
            #expect(report.ticks == 360)
            #expect(report.finalHash == expected)
            #expect(report.endReason == .tickLimit)
            #expect(report.desyncs == 0)
        }
        #expect(reports.allSatisfy { $0.rollbacks > 0 })
        #expect(reports.contains { $0.maxRollbackDepth >= 2 })
    }

    /// A bot whose connection drops mid-match reconnects with its last tick and ends with the same hash.
    @Test func aBotThatLosesItsConnectionReconnectsAndFinishesWithTheSameHash() throws {
        let server = try TestBattleServer()
        defer { server.stop() }
        var options = BotRunner.Options(port: server.port, adminKey: server.adminKey)
        options.players = 2
        options.tickRate = 60
        options.ticks = 420
        options.seed = 5
        options.timeoutNanos = 30_000_000_000
        let runner = try BotRunner(options: options)
        defer { runner.stop() }
        try runner.start()
        let room = runner.roomIDs[0]
        let victim = try #require(runner.client(room: room, slot: 1))
        // Mid-match: once the victim holds tick 100 (no fixed sleep).
        #expect(Eventually.wait { victim.confirmedTickFromAnyThread >= 100 })
        victim.simulateConnectionLoss()
        #expect(runner.wait())
        let reports = runner.reports()
        let expected = try Self.finalHashFromServerReplay(server, room: room)
        #expect(reports.allSatisfy { $0.finalHash == expected && $0.ticks == 420 })
        #expect(reports.first { $0.slot == 1 }?.reconnects == 1)
        let replay = try ReplayReader.read(try readReplayFile(server.replayDirectory + "/" + room + ".lsr"))
        #expect(replay.events.contains { $0.kind == .reconnect && $0.slot == PlayerSlot(1) })
    }
}
