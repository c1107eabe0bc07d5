import LockstepBench
import LockstepClient
import LockstepCore
import LockstepEventLoop
import LockstepProtocol
import LockstepReplay
import LockstepSimulation
import LockstepTesting
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `lockstep serve --agones`, the real executable, against the fake sidecar.
@Suite(.serialized) struct ServeAgonesTests {
    @Test func sigtermDrainsAndShutdownComesOnlyAfterTheLastMatchEnds() throws {
        let sidecar = try FakeAgonesSidecar()
        try sidecar.start()
        defer { sidecar.stop() }
        let executable = try #require(
            ServerProcess.siblingExecutable(), "the lockstep executable is built with the tests")
        let replays = makeTemporaryDirectory("lockstep-agones")
        let process = try ServerProcess(
            executable: executable,
            arguments: [
                "--admin-key", "k", "--token-secret", "s", "--replays", replays, "--log-level", "warning",
                "--max-rooms", "20",
                "--agones", "--agones-sdk-port", String(sidecar.port),
            ])
        #expect(eventually(10) { sidecar.gameServerState == "Ready" })
        #expect(eventually(10) { sidecar.counter("rooms") == .init(count: 0, capacity: 20) })
        let admin = AdminClient(port: process.port, adminKey: "k")
        // 480 ticks at 120 Hz: four seconds of match.
        let room = try admin.createRoom([
            "players": 2, "tickRate": 120, "inputDelay": 3, "maxTicks": 480, "hashInterval": 40,
        ])
        let loops = try EventLoopGroup(count: 1)
        defer { loops.shutdown() }
        let clients = try (0..<2).map { slot in
            let client = try TestGameClient(port: process.port, room: room.roomID, loop: loops.next())
            client.play(as: PlayerSlot(UInt8(slot))) { tick in
                var bot = ArenaBot(seed: UInt64(tick.rawValue), slot: slot)
                return bot.nextInput().payload
            }
            client.hello(token: room.tokens[slot])
            return client
        }
        #expect(clients[0].waitForFrames(60))
        #expect(
            eventually(5) {
                sidecar.counter("rooms") == .init(count: 1, capacity: 20) && sidecar.listValues("players")?.count == 2
            })
        kill(process.pid, SIGTERM)
        #expect(eventually(5) { sidecar.labels["agones.dev/sdk-lockstep-draining"] == "true" })
        #expect(clients[0].waitForFrames(240))
        #expect(sidecar.count("POST", "/shutdown") == 0)
        for client in clients { #expect(client.waitForClose(15) == 1000) }
        let status = process.waitForExit(timeout: 15)
        if status == nil { process.stop(signal: SIGKILL) }
        #expect(
            status.map { $0 & 0x7F == 0 && ($0 >> 8) & 0xFF == 0 } == true, "exit status \(String(describing: status))")
        let shutdown = try #require(sidecar.calls.first { $0.path == "/shutdown" })
        #expect(shutdown.roomsCount == 0)
        #expect(sidecar.listValues("players") == [])
        let replay = try ReplayReader.read(try readReplayFile(replays + "/" + room.roomID + ".lsr"))
        #expect(replay.frameCount == 480)
        #expect(try ReplayVerifier.verify(replay, using: .reference).isOK)
    }
}
