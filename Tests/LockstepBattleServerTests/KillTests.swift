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

/// The durability docs/OPERATIONS.md states for a crash: `kill -9` at any moment of running
/// matches loses at most the last `--replay-flush-ticks` ticks of each, and every replay left
/// behind reads in recover mode and verifies up to where it ends.
@Suite(.serialized) struct KillTests {
    /// One round: a server with two running rooms, killed once its first player has seen a seeded
    /// random number of frames.
    struct Round: Sendable, CustomStringConvertible {
        var seed: UInt64
        var fsyncMillis: Int
        var description: String { "seed \(seed), --replay-fsync-ms \(fsyncMillis)" }
    }

    /// Three kills at seeded random moments (40 to 240 frames into the match, flush intervals of
    /// 5 to 40 ticks), one of them with timed `fsync` on: each room's replay holds every frame its
    /// players saw but the last flush interval's, the same frames, and verifies as truncated.
    @Test(arguments: [Round(seed: 14, fsyncMillis: 0), Round(seed: 1403, fsyncMillis: 50), Round(seed: 90_210, fsyncMillis: 0)])
    func killMinus9AtRandomMomentsLosesAtMostOneFlushInterval(_ round: Round) throws {
        var random = SeededRandom(seed: round.seed)
        let flushTicks = random.next(in: 5...40)
        let killAfterFrames = random.next(in: 40...240)
        let executable = try #require(ServerProcess.siblingExecutable(), "the lockstep executable is built with the tests")
        let replays = makeTemporaryDirectory("lockstep-kill")
        let process = try ServerProcess(executable: executable, arguments: [
            "--admin-key", "k", "--token-secret", "s", "--replays", replays, "--replay-flush-ticks", String(flushTicks),
            "--replay-fsync-ms", String(round.fsyncMillis), "--log-level", "warning",
        ])
        let admin = AdminClient(port: process.port, adminKey: "k")
        let loops = try EventLoopGroup(count: 1)
        defer { loops.shutdown() }
        var rooms: [(id: String, clients: [TestGameClient])] = []
        for index in 0..<2 {
            let room = try admin.createRoom([
                "players": 2, "tickRate": 60, "inputDelay": 2, "maxTicks": 100_000, "hashInterval": 10, "seed": index + 1,
            ])
            var clients: [TestGameClient] = []
            for slot in 0..<2 {
                let client = try TestGameClient(port: process.port, room: room.roomID, loop: loops.next())
                client.play(as: PlayerSlot(UInt8(slot))) { tick in
                    var bot = ArenaBot(seed: UInt64(tick.rawValue) &+ UInt64(index), slot: slot)
                    return bot.nextInput().payload
                }
                client.hello(token: room.tokens[slot])
                clients.append(client)
            }
            rooms.append((room.roomID, clients))
        }
        #expect(rooms[0].clients[0].waitForFrames(killAfterFrames))
        // What the players had seen when the server died: the server had confirmed at least as much.
        let seen = rooms.map { room in room.clients.map(\.frames.count).max() ?? 0 }
        let status = process.stop(signal: SIGKILL)
        #expect(status & 0x7F == SIGKILL)
        for client in rooms.flatMap(\.clients) { client.waitForClose() }

        for (room, seenFrames) in zip(rooms, seen) {
            let replay = try ReplayReader.read(try readReplayFile(replays + "/" + room.id + ".lsr"), mode: .recover)
            #expect(replay.footer == nil)
            #expect(replay.frameCount >= seenFrames - flushTicks, "room \(room.id): kept \(replay.frameCount) of \(seenFrames) seen, flush \(flushTicks)")
            #expect(replay.frameCount % flushTicks == 0, "whole flush intervals only")
            let received = room.clients[0].frames
            for index in 0..<min(replay.frameCount, received.count) {
                #expect(replay.frame(at: index) == received[index])
            }
            let report = try ReplayVerifier.verify(replay, using: .reference)
            #expect(report.isOK && report.isTruncated)
        }
    }
}
