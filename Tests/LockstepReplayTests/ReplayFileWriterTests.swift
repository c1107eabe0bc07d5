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

    @Test func aFinishedFileReadsStrictly() throws {
        let path = Self.temporaryPath("finished")
        defer { unlink(path) }
        let header = ReplayHeader(simulationID: "x", simulationVersion: 1, tickRate: 30, inputDelay: 0, seed: 0, checkpointInterval: 0, roomID: "r", players: ["a"])
        let writer = try ReplayFileWriter(path: path, header: header, flushInterval: 3)
        for tick in 0..<10 { try writer.append(ConfirmedFrame(tick: Tick(UInt32(tick)), inputs: [(.onTime, [UInt8(tick)])])) }
        try writer.finish(finalHash: 7)
        let replay = try ReplayReader.read(try readReplayFile(path))
        #expect(replay.frameCount == 10 && replay.footer?.finalHash == 7)
        #expect(throws: ReplayError.self) { try ReplayFileWriter(path: "/nonexistent-dir/x.lsr", header: header) }
    }
}
