import LockstepCore
import LockstepSimulation
import Synchronization
import Testing
@testable import LockstepReplay

#if canImport(Glibc)
import Glibc
#endif

@Suite struct ReplayFrameReaderTests {
    /// A file being written (with a write queue), read back by tick range through the encoder's
    /// records index: every range gives exactly the frames the whole-file reader gives, including
    /// frames still buffered when the read is asked for and runs of repeated frames.
    @Test func rangesReadThroughTheIndexMatchTheWholeFile() throws {
        let path = "/tmp/lockstep-test-\(getpid())-frame-reader.lsr"
        defer { unlink(path) }
        let header = ReplayHeader(
            simulationID: "test.any", simulationVersion: 1, tickRate: 30, inputDelay: 0, seed: 3, checkpointInterval: 0,
            roomID: "r", players: ["a", "b", "c"])
        let queue = ReplayWriteQueue(label: "test.frame-reader")
        let writer = try ReplayFileWriter(path: path, header: header, flushInterval: 17, writeQueue: queue)
        var random = SplitMix64(state: 42)
        for tick in 0..<1000 {
            // Runs of identical frames (repeat entries) and changing ones.
            let value = UInt8(truncatingIfNeeded: tick / 7)
            let frame = ConfirmedFrame(
                tick: Tick(UInt32(tick)),
                inputs: (0..<3).map { slot in (InputStatus(rawValue: UInt8(slot)) ?? .onTime, [value, UInt8(slot)]) })
            try writer.append(frame)
        }
        try writer.flush()
        try writer.waitUntilWritten()
        let whole = try ReplayReader.read(try readReplayFile(path), mode: .recover)
        #expect(whole.frameCount == 1000)
        for _ in 0..<40 {
            let lower = Int(random.next() % 1000)
            let upper = lower + 1 + Int(random.next() % UInt64(1000 - lower))
            let range = Tick(UInt32(lower))..<Tick(UInt32(upper))
            let result = Mutex<Result<[ConfirmedFrame], ReplayError>?>(nil)
            writer.readFrames(range) { read in result.withLock { $0 = read } }
            queue.waitUntilWritten()
            let frames = try #require(try result.withLock { $0 }?.get())
            #expect(frames == (lower..<upper).map { whole.frame(at: $0) })
        }
        // A range past what was written is an error, not a short answer.
        let past = Mutex<Result<[ConfirmedFrame], ReplayError>?>(nil)
        writer.readFrames(Tick(990)..<Tick(1010)) { read in past.withLock { $0 = read } }
        queue.waitUntilWritten()
        #expect(throws: ReplayError.self) { try past.withLock { $0 }?.get() }
    }
}
