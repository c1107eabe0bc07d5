import LockstepBattleServer
import LockstepCore
import LockstepEventLoop
import LockstepProtocol
import LockstepReplay
import LockstepSimulation
import LockstepTesting
import Testing

#if canImport(Glibc)
import Glibc
import LockstepBench
import LockstepClient
#endif

@Suite(.serialized) struct CrashAndShutdownTests {
    /// `kill -9` mid-match leaves a replay the reader recovers and the verifier checks up to the
    /// last flushed tick, matching what the clients received.
    @Test func killMinus9LeavesARecoverableVerifiableReplay() throws {
        let executable = try #require(ServerProcess.siblingExecutable(), "the lockstep executable is built with the tests")
        let replays = makeTemporaryDirectory("lockstep-crash")
        let process = try ServerProcess(executable: executable, arguments: [
            "--admin-key", "k", "--token-secret", "s", "--replays", replays, "--replay-flush-ticks", "20", "--log-level", "warning",
        ])
        let admin = AdminClient(port: process.port, adminKey: "k")
        let room = try admin.createRoom(["players": 2, "tickRate": 120, "inputDelay": 3, "maxTicks": 100_000, "hashInterval": 20, "seed": 5])
        let loops = try EventLoopGroup(count: 1)
        defer { loops.shutdown() }
        var clients: [TestGameClient] = []
        for slot in 0..<2 {
            let client = try TestGameClient(port: process.port, room: room.roomID, loop: loops.next())
            client.play(as: PlayerSlot(UInt8(slot))) { tick in
                var bot = ArenaBot(seed: UInt64(tick.rawValue), slot: slot)
                return bot.nextInput().payload
            }
            client.hello(token: room.tokens[slot])
            clients.append(client)
        }
        #expect(clients[0].waitForFrames(150))
        let status = process.stop(signal: SIGKILL)
        #expect(status & 0x7F == SIGKILL)
        let bytes = try readReplayFile(replays + "/" + room.roomID + ".lsr")
        #expect(throws: ReplayError.self) { try ReplayReader.read(bytes) }
        let replay = try ReplayReader.read(bytes, mode: .recover)
        let received = clients[0].frames
        #expect(replay.frameCount >= 100 && replay.frameCount <= received.count)
        #expect(replay.frameCount % 20 == 0)  // whole flush intervals only
        for index in 0..<replay.frameCount { #expect(replay.frame(at: index) == received[index]) }
        let report = try ReplayVerifier.verify(replay, using: .reference)
        #expect(report.isOK && report.isTruncated && report.checkpointsChecked >= 4)
    }

    /// A graceful shutdown ends the match for everyone (event and 1001) and finalises the replay.
    @Test func gracefulShutdownEndsMatchesAndFinalisesReplays() throws {
        let server = try TestBattleServer()
        let room = try server.admin.createRoom(["players": 2, "tickRate": 120, "inputDelay": 3, "maxTicks": 100_000])
        var clients: [TestGameClient] = []
        for slot in 0..<2 {
            let client = try server.client(room: room.roomID)
            client.play(as: PlayerSlot(UInt8(slot))) { _ in [0, 0, 0, 0, 1] }
            client.hello(token: room.tokens[slot])
            clients.append(client)
        }
        #expect(clients[0].waitForFrames(60))
        server.server.shutdown()
        for client in clients {
            #expect(client.waitForClose() == 1001)
            #expect(client.messages.contains { if case .event(.matchEnd(.serverShutdown), _, _) = $0 { true } else { false } })
        }
        server.clientLoops.shutdown()
        let replay = try ReplayReader.read(try readReplayFile(server.replayDirectory + "/" + room.roomID + ".lsr"))
        #expect(replay.footer != nil)
        #expect(try ReplayVerifier.verify(replay, using: .reference).isOK)
        #expect(replay.events.contains { $0.kind == .matchEnd })
    }
}
