import LockstepCore
import LockstepSimulation
import Testing
@testable import LockstepReplay

#if canImport(Glibc)
import Glibc
#endif

/// Replays written through a `ReplayWriteQueue` (off the caller's thread) are the same files.
@Suite struct ReplayWriteQueueTests {
    func writeMatch(to path: String, queue: ReplayWriteQueue?, finish: Bool) throws {
        let header = ReplayHeader(
            simulationID: ArenaSimulation.simulationID, simulationVersion: ArenaSimulation.simulationVersion, tickRate: 30,
            inputDelay: 0, seed: 4, checkpointInterval: 10, roomID: "r", players: ["a", "b"])
        var writer: ReplayFileWriter? = try ReplayFileWriter(path: path, header: header, flushInterval: 7, writeQueue: queue)
        var simulation = try ArenaSimulation(players: 2, seed: 4)
        var bots = [ArenaBot(seed: 4, slot: 0), ArenaBot(seed: 4, slot: 1)]
        for tick in 0..<200 {
            let frame = ConfirmedFrame(
                tick: Tick(UInt32(tick)), inputs: [(.onTime, bots[0].nextInput().payload), (.onTime, bots[1].nextInput().payload)])
            simulation.step(frame)
            try writer?.append(frame)
            if tick % 10 == 9 { writer?.checkpoint(ReplayCheckpoint(tick: Tick(UInt32(tick)), hash: simulation.hash())) }
        }
        if finish { try writer?.finish(finalHash: simulation.hash()) }
        writer = nil
        queue?.waitUntilWritten()
    }

    @Test func aReplayWrittenThroughTheQueueIsByteForByteTheDirectOne() throws {
        let direct = "/tmp/lockstep-test-\(getpid())-direct.lsr"
        let queued = "/tmp/lockstep-test-\(getpid())-queued.lsr"
        defer { unlink(direct); unlink(queued) }
        try writeMatch(to: direct, queue: nil, finish: true)
        try writeMatch(to: queued, queue: ReplayWriteQueue(), finish: true)
        let bytes = try readReplayFile(queued)
        #expect(bytes == (try readReplayFile(direct)))
        let report = try ReplayVerifier.verify(try ReplayReader.read(bytes), using: .reference)
        #expect(report.isOK && !report.isTruncated)
    }

    @Test func anAbandonedQueuedWriterLeavesEveryFlushedTick() throws {
        let path = "/tmp/lockstep-test-\(getpid())-queued-abandoned.lsr"
        defer { unlink(path) }
        try writeMatch(to: path, queue: ReplayWriteQueue(), finish: false)
        let replay = try ReplayReader.read(try readReplayFile(path), mode: .recover)
        #expect(replay.frameCount == 196)  // 28 flushes of 7 ticks; the last 4 ticks were never flushed
    }

    @Test func aWriteErrorIsThrownByTheNextCall() throws {
        let header = ReplayHeader(simulationID: "x", simulationVersion: 1, tickRate: 30, inputDelay: 0, seed: 0, checkpointInterval: 0, roomID: "r", players: ["a"])
        let queue = ReplayWriteQueue()
        let writer = try ReplayFileWriter(path: "/dev/full", header: header, flushInterval: 1, writeQueue: queue)
        queue.waitUntilWritten()
        #expect(throws: ReplayError.self) { try writer.waitUntilWritten() }
        // The first append only buffers; the second flushes, and that call reports the failure.
        #expect(throws: ReplayError.self) {
            for tick in 0..<2 { try writer.append(ConfirmedFrame(tick: Tick(UInt32(tick)), inputs: [(.onTime, [1])])) }
        }
    }
}
