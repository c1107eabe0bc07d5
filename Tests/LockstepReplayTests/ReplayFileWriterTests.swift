import LockstepCore
import LockstepSimulation
import Testing
@testable import LockstepReplay

#if canImport(Glibc)
import Glibc
#endif

@Suite struct ReplayFileWriterTests {
    static func temporaryPath(_ name: String) -> String {
        "/tmp/lockstep-test-\(getpid())-\(name).lsr"
    }

    /// A writer abandoned mid-match (as after kill -9) leaves a file the reader recovers up to the
    /// last flush, and the verifier checks every checkpoint written before it.
    @Test func anAbandonedWriterLeavesARecoverableVerifiableFile() throws {
        let path = Self.temporaryPath("abandoned")
        defer { unlink(path) }
        let header = ReplayHeader(
            simulationID: ArenaSimulation.simulationID, simulationVersion: ArenaSimulation.simulationVersion, tickRate: 30,
            inputDelay: 0, seed: 9, checkpointInterval: 10, roomID: "r", players: ["a", "b"])
        var writer: ReplayFileWriter? = try ReplayFileWriter(path: path, header: header, flushInterval: 25)
        var simulation = try ArenaSimulation(players: 2, seed: 9)
        var bots = [ArenaBot(seed: 9, slot: 0), ArenaBot(seed: 9, slot: 1)]
        for tick in 0..<110 {
            let frame = ConfirmedFrame(tick: Tick(UInt32(tick)), inputs: [(.onTime, bots[0].nextInput().payload), (.onTime, bots[1].nextInput().payload)])
            simulation.step(frame)
            try writer?.append(frame)
            if tick % 10 == 9 { writer?.checkpoint(ReplayCheckpoint(tick: Tick(UInt32(tick)), hash: simulation.hash())) }
        }
        writer = nil  // dropped without finish: ticks 100...109 were never flushed
        let bytes = try readReplayFile(path)
        #expect(throws: ReplayError.self) { try ReplayReader.read(bytes) }
        let replay = try ReplayReader.read(bytes, mode: .recover)
        #expect(replay.frameCount == 100)
        #expect(replay.recovery?.reason == "file ends before the footer")
        let report = try ReplayVerifier.verify(replay, using: .reference)
        #expect(report.isOK && report.isTruncated && report.checkpointsChecked == 10)
    }

    static let oneSlotHeader = ReplayHeader(
        simulationID: "x", simulationVersion: 1, tickRate: 30, inputDelay: 0, seed: 0, checkpointInterval: 0, roomID: "r", players: ["a"])

    /// Writes a finished ten-tick replay of one slot to `path`.
    static func writeFinishedReplay(to path: String) throws {
        let writer = try ReplayFileWriter(path: path, header: oneSlotHeader, flushInterval: 3)
        for tick in 0..<10 { try writer.append(ConfirmedFrame(tick: Tick(UInt32(tick)), inputs: [(.onTime, [UInt8(tick)])])) }
        try writer.finish(finalHash: 7)
    }

    @Test func aFinishedFileReadsStrictly() throws {
        let path = Self.temporaryPath("finished")
        defer { unlink(path) }
        let header = Self.oneSlotHeader
        try Self.writeFinishedReplay(to: path)
        let replay = try ReplayReader.read(try readReplayFile(path))
        #expect(replay.frameCount == 10 && replay.footer?.finalHash == 7)
        #expect(throws: ReplayError.self) { try ReplayFileWriter(path: "/nonexistent-dir/x.lsr", header: header) }
    }

    /// A replay is never overwritten: creating one where a file exists throws `.fileExists` and
    /// leaves the file byte for byte as it was.
    @Test func creatingAReplayOverAnExistingFileIsRefusedAndTheFileIsUntouched() throws {
        let path = Self.temporaryPath("existing")
        defer { unlink(path) }
        let header = Self.oneSlotHeader
        try Self.writeFinishedReplay(to: path)
        let before = try readReplayFile(path)
        #expect(throws: ReplayError(offset: 0, problem: .fileExists(path))) {
            try ReplayFileWriter(path: path, header: header, flushInterval: 3)
        }
        #expect(try readReplayFile(path) == before)
        #expect(try ReplayCompleteness.endsWithFooter(path))
    }

    /// A file without its footer (a crash, a failed write) is told apart from a complete one by
    /// its last bytes alone.
    @Test func aFileWithoutItsFooterIsToldApartFromACompleteOne() throws {
        let path = Self.temporaryPath("unfinished")
        defer { unlink(path) }
        var writer: ReplayFileWriter? = try ReplayFileWriter(path: path, header: Self.oneSlotHeader, flushInterval: 1)
        for tick in 0..<40 { try writer?.append(ConfirmedFrame(tick: Tick(UInt32(tick)), inputs: [(.onTime, [UInt8(tick)])])) }
        writer = nil
        #expect(try !ReplayCompleteness.endsWithFooter(path))
        #expect(throws: ReplayError.self) { try ReplayCompleteness.endsWithFooter(path + ".missing") }
    }
}
