import Foundation
import LockstepBench
import LockstepClient
import LockstepCore
import LockstepEventLoop
import LockstepProtocol
import LockstepReplay
import LockstepTesting
import Testing

/// docs/EMBEDDING.md's example is a real package: built here, its server runs its own game
/// (re-simulated: the replay's checkpoints are the server's), and its `replay verify` checks it.
@Suite(.serialized) struct EmbeddingExampleTests {
    @Test func theStudioServerExampleBuildsRunsItsOwnGameAndVerifiesItsReplays() throws {
        let package = PackageBuild.root + "/docs/examples/studio-server"
        let scratch = PackageBuild.root + "/.build-example"
        let build = try PackageBuild.build(package: package, scratch: scratch)
        try #require(build.status == 0, "\(build.output.suffix(3000))")
        let executable = scratch + "/debug/studio-server"

        let replays = makeTemporaryDirectory("lockstep-studio")
        let server = try ServerProcess(
            executable: executable, arguments: ["--admin-key", "studio", "--token-secret", "s", "--replays", replays, "--log-level", "warning"])
        defer { server.stop() }
        let admin = AdminClient(port: server.port, adminKey: "studio")
        // No `simulation` in the request: the studio's game is the default.
        let room = try admin.createRoom(["players": 2, "tickRate": 120, "maxTicks": 240, "hashInterval": 30, "seed": 4])
        let loops = try EventLoopGroupForTests()
        defer { loops.shutdown() }
        var players: [TestGameClient] = []
        for slot in 0..<2 {
            let client = try TestGameClient(port: server.port, room: room.roomID, loop: loops.loop)
            client.play(as: PlayerSlot(UInt8(slot))) { tick in [UInt8(1 + (Int(tick.rawValue) / 16 + slot) % 2)] }
            client.hello(token: room.tokens[slot])
            players.append(client)
        }
        for player in players { #expect(player.waitForFrames(240, timeout: 20)) }
        #expect(players[0].welcome?.simulationID == "studio.coinrace")
        for player in players { #expect(player.waitForClose() == 1000) }

        let path = replays + "/\(room.roomID).lsr"
        #expect(eventually(10) { (try? ReplayReader.read(try readReplayFile(path))) != nil })
        let replay = try ReplayReader.read(try readReplayFile(path))
        // No client sent a hash: these checkpoints are the server's own re-simulation.
        #expect(replay.checkpoints.count == 8)
        let verify = try PackageBuild.run([executable, "replay", "verify", path])
        #expect(verify.status == 0, "\(verify.output)")
        #expect(verify.output.contains(": ok: 240 ticks"))
    }
}

/// One client event loop, shut down at the end.
struct EventLoopGroupForTests {
    let group: EventLoopGroup
    init() throws { group = try EventLoopGroup(count: 1) }
    var loop: EventLoop { group.next() }
    func shutdown() { group.shutdown() }
}
