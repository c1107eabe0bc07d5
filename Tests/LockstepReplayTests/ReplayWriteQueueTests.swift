import Dispatch
import LockstepCore
import LockstepSimulation
import Synchronization
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

    /// A write that fails on the queue's thread is reported once to the failure handler and
    /// thrown by the writer's next call; `finish` then never reports the file written.
    @Test func aWriteErrorIsReportedOnceAndThrownByTheNextCall() throws {
        let path = "/tmp/lockstep-test-\(getpid())-queued-failing.lsr"
        defer { unlink(path) }
        let header = ReplayHeader(simulationID: "x", simulationVersion: 1, tickRate: 30, inputDelay: 0, seed: 0, checkpointInterval: 0, roomID: "r", players: ["a"])
        let queue = ReplayWriteQueue()
        let reported = Mutex<[ReplayError]>([])
        let written = Atomic<Bool>(false)
        let writer = try ReplayFileWriter(
            path: path, header: header, flushInterval: 1, writeQueue: queue,
            onWriteFailure: { error in reported.withLock { $0.append(error) } })
        // The disk fills up under the open file: every later write fails with ENOSPC.
        let full = open("/dev/full", O_WRONLY | O_CLOEXEC)
        #expect(full >= 0 && dup2(full, writer.descriptor) == writer.descriptor)
        close(full)
        try writer.append(ConfirmedFrame(tick: Tick(0), inputs: [(.onTime, [1])]))
        try writer.flush()
        queue.waitUntilWritten()
        #expect(throws: ReplayError.self) { try writer.waitUntilWritten() }
        #expect(throws: ReplayError.self) { try writer.finish(finalHash: 0) { written.store(true, ordering: .relaxed) } }
        queue.waitUntilWritten()
        #expect(reported.withLock { $0.count } == 1)
        #expect(reported.withLock { $0.first?.description.contains("No space left") } == true)
        #expect(!written.load(ordering: .relaxed) && writer.hasFailed)
    }

    /// `--replay-fsync-ms`: a file written through a queue with a sync interval is synced by the
    /// queue's timer after its writes (one sync per interval, however many writes came), while
    /// the match is still being written.
    @Test func aSyncIntervalSyncsWrittenFilesOnTheQueueThread() throws {
        let path = "/tmp/lockstep-test-\(getpid())-synced.lsr"
        defer { unlink(path) }
        let synced = DispatchSemaphore(value: 0)
        let files = Mutex<[Int]>([])
        let queue = ReplayWriteQueue(syncIntervalMillis: 20) { count in
            files.withLock { $0.append(count) }
            synced.signal()
        }
        let header = ReplayHeader(
            simulationID: ArenaSimulation.simulationID, simulationVersion: ArenaSimulation.simulationVersion, tickRate: 30,
            inputDelay: 0, seed: 4, checkpointInterval: 0, roomID: "r", players: ["a"])
        let writer = try ReplayFileWriter(path: path, header: header, flushInterval: 7, writeQueue: queue)
        for tick in 0..<100 { try writer.append(ConfirmedFrame(tick: Tick(UInt32(tick)), inputs: [(.onTime, [UInt8(tick % 7)])])) }
        try writer.flush()
        #expect(synced.wait(timeout: .now() + 10) == .success)
        // 15 writes of one file: each timed sync (one, unless the writes spanned an interval) syncs it once.
        #expect(files.withLock { !$0.isEmpty && $0.allSatisfy { $0 == 1 } })
        #expect(try ReplayReader.read(try readReplayFile(path), mode: .recover).frameCount == 100)
        try writer.finish(finalHash: 0)
        queue.waitUntilWritten()
    }
}
