import LockstepCore
import Testing
@testable import LockstepReplay

@Suite struct ReplayReaderTests {
    @Test func encodedFramesCheckpointsAndEventsRoundTrip() throws {
        let header = ReplayHeader(
            simulationID: "test.sim", simulationVersion: 3, tickRate: 60, inputDelay: 2, seed: 0xDEAD_BEEF,
            payloadLimit: 32, checkpointInterval: 5, recordedAtUnixMillis: 1_700_000_000_000, roomID: "room-1",
            players: ["alice", "bob"])
        var encoder = ReplayEncoder(header: header)
        var random = SeededRandom(seed: 4)
        var frames: [ConfirmedFrame] = []
        for tick in 0..<500 {
            // Runs of identical frames, repeated payloads, and fresh ones, all statuses.
            let frame: ConfirmedFrame
            if let last = frames.last, random.chance(1, in: 3) {
                frame = ConfirmedFrame(tick: Tick(UInt32(tick)), inputs: (0..<2).map { (last.status(of: $0), Array(last.payload(of: $0))) })
            } else {
                frame = ConfirmedFrame(tick: Tick(UInt32(tick)), inputs: (0..<2).map { _ in
                    (InputStatus(rawValue: UInt8(random.next(below: 4))) ?? .onTime, (0..<random.next(in: 0...32)).map { _ in UInt8(random.next(below: 3)) })
                })
            }
            frames.append(frame)
            try encoder.append(frame)
            if tick % 5 == 4 { encoder.checkpoint(ReplayCheckpoint(tick: Tick(UInt32(tick)), hash: UInt64(tick) &* 0x1234_5678)) }
            if tick == 100 { encoder.event(ReplayEvent(tick: Tick(100), kind: .desync, slot: PlayerSlot(1), detail: "hash differs ✓")) }
            if tick % 37 == 0 { encoder.flush() }
        }
        encoder.finish(finalHash: 42)
        let replay = try ReplayReader.read(encoder.takeOutput())
        #expect(replay.header == header)
        #expect(replay.frameCount == 500)
        for index in 0..<500 { #expect(replay.frame(at: index) == frames[index]) }
        #expect(replay.checkpoints.count == 100)
        #expect(replay.events == [ReplayEvent(tick: Tick(100), kind: .desync, slot: PlayerSlot(1), detail: "hash differs ✓")])
        #expect(replay.footer?.finalHash == 42 && replay.footer?.tickCount == 500)
    }

    /// Cutting the file at every byte offset never crashes: a strict read throws a truncation error
    /// naming an offset inside the file, a recovering read returns whole frames only and says what was lost.
    @Test func truncationAtEveryOffsetIsRecoveredOrReportedNeverACrash() throws {
        let bytes = ReplayFixtures.smallChaos
        let full = try ReplayReader.read(bytes)
        var lastFrames = 0
        for length in 0..<bytes.count {
            let prefix = Array(bytes[0..<length])
            do {
                _ = try ReplayReader.read(prefix)
                Issue.record("a strict read of \(length) of \(bytes.count) bytes succeeded")
            } catch {
                guard case .truncated = error.problem else {
                    Issue.record("length \(length): \(error)")
                    continue
                }
                #expect(error.offset <= length)
            }
            if let recovered = try? ReplayReader.read(prefix, mode: .recover) {
                let recovery = try #require(recovered.recovery)
                #expect(recovery.validBytes + recovery.discardedBytes == length)
                #expect(recovered.frameCount >= lastFrames && recovered.frameCount <= full.frameCount)
                lastFrames = recovered.frameCount
                for index in stride(from: 0, to: recovered.frameCount, by: 7) {
                    #expect(recovered.frame(at: index) == full.frame(at: index))
                }
            }
        }
        #expect(lastFrames == full.frameCount)
    }

    /// Seeded random byte flips: every one is reported as an error with an offset, never a crash,
    /// and never read back as a complete replay.
    @Test func randomByteFlipsAreReportedWithAnOffset() {
        let bytes = ReplayFixtures.smallChaos
        var random = SeededRandom(seed: 2024)
        for _ in 0..<3000 {
            var corrupt = bytes
            let position = Int(random.next(below: UInt64(bytes.count)))
            corrupt[position] ^= UInt8(1 + random.next(below: 255))
            do {
                _ = try ReplayReader.read(corrupt)
                Issue.record("flip at \(position) was not detected")
            } catch {
                #expect(error.offset >= 0 && error.offset <= bytes.count)
                #expect(!error.description.isEmpty)
            }
        }
    }

    /// A file of a few hundred bytes whose repeat claims 4,294,967,294 frames (it made `replay
    /// info` and `verify` materialise 1.6 GiB and abort) is refused at the offending offset,
    /// before anything is allocated for those frames, in every reading mode.
    @Test(arguments: [UInt32(0xFFFF_FFFF), UInt32(70_000_000)])
    func aRepeatBombIsRefusedBeforeAnythingIsAllocated(claimedFrames: UInt32) throws {
        let header = ReplayHeader(
            simulationID: "lockstep.arena", simulationVersion: 1, tickRate: 30, inputDelay: 2, seed: 1,
            checkpointInterval: 0, roomID: "bomb", players: ["a", "b"])
        var encoder = ReplayEncoder(header: header)
        var bytes = encoder.takeOutput()
        var body = ByteWriter()
        body.integer(UInt32(0))  // first tick
        body.integer(claimedFrames)
        body.u8(ReplayFormat.tagFrame)
        for _ in 0..<2 {
            body.u8(InputStatus.onTime.rawValue)
            body.varint(4)
            body.append([1, 2, 3, 4])
        }
        body.u8(ReplayFormat.tagRepeat)
        body.varint(UInt64(claimedFrames) - 1)
        let recordOffset = bytes.count
        bytes += ReplayEncoder.framed(.frames, body.bytes)
        #expect(bytes.count < 200)
        for mode in [ReplayReader.Mode.strict, .recover] {
            do {
                _ = try ReplayReader.read(bytes, mode: mode)
                Issue.record("a repeat bomb was read")
            } catch {
                #expect(error.offset > recordOffset && error.offset < bytes.count)
                #expect("\(error)".contains("more than \(ReplayFormat.maxSlotEntries) slot entries"))
            }
        }
    }

    /// A reader given lower limits holds a replay that fits them exactly and refuses, naming the
    /// limit, one that needs a single slot entry more: services reading strangers' files can bound
    /// the memory a file may claim below the standard 2^25 entries.
    @Test func lowerLimitsAreHonouredToTheSlotEntry() throws {
        let replay = try ReplayReader.read(ReplayFixtures.smallChaos)
        let entries = replay.frameCount * replay.header.players.count
        let exact = ReplayLimits(maxSlotEntries: entries, maxPayloadBytes: ReplayLimits.standard.maxPayloadBytes)
        #expect(try ReplayReader.read(ReplayFixtures.smallChaos, limits: exact).frameCount == replay.frameCount)
        let short = ReplayLimits(maxSlotEntries: entries - 1, maxPayloadBytes: ReplayLimits.standard.maxPayloadBytes)
        #expect(throws: ReplayError.self) { try ReplayReader.read(ReplayFixtures.smallChaos, limits: short) }
        do {
            _ = try ReplayReader.read(ReplayFixtures.smallChaos, mode: .recover, limits: short)
        } catch {
            #expect("\(error)".contains("more than \(entries - 1) slot entries"))
        }
    }

    @Test func wrongMagicVersionAndKindAreNamed() {
        #expect(throws: ReplayError(offset: 0, problem: .badMagic)) { try ReplayReader.read(Array("NOTAREPLAYFILE".utf8)) }
        var version = ReplayFixtures.smallChaos
        version[8] = 9
        #expect(throws: ReplayError(offset: 8, problem: .unsupportedVersion(9))) { try ReplayReader.read(version) }
        #expect(throws: ReplayError.self) { try ReplayReader.read([]) }
    }
}
