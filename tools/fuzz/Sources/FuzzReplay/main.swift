// Replay files: the reader (strict and recovering), the verifier, and a write-read round trip.
//
// Input: a mode byte, then a replay file. Mode bit 0 rewrites every record's CRC-32 and the footer's
// file checksum before reading, so the fuzzer reaches the record decoders instead of stopping at a
// checksum; bit 1 reads in recovering mode.
// Properties: never a crash (a lying count is an error, never an allocation); whatever reads is
// written again by `ReplayEncoder` into a file that reads back to the same header, frames,
// checkpoints and events; a small replay re-simulates (or is refused) without crashing.
import FuzzSupport
import LockstepCore
import LockstepReplay
import LockstepSimulation

/// Rewrites the record checksums (and the footer's file checksum) of `file` in place, so they match.
func fixChecksums(_ file: inout [UInt8]) {
    var offset = 12
    var fileCRC = CRC32()
    fileCRC.update(file.prefix(offset))
    while offset + 5 <= file.count {
        let length = Int(file[offset + 1]) | Int(file[offset + 2]) << 8 | Int(file[offset + 3]) << 16 | Int(file[offset + 4]) << 24
        let end = offset + 5 + length
        guard length <= 64 << 20, end + 4 <= file.count else { return }
        if file[offset] == 5, length >= 16 {
            let sum = fileCRC.value
            for index in 0..<4 { file[offset + 5 + 12 + index] = UInt8(truncatingIfNeeded: sum >> (8 * UInt32(index))) }
        }
        let crc = CRC32.checksum(file[offset..<end])
        for index in 0..<4 { file[end + index] = UInt8(truncatingIfNeeded: crc >> (8 * UInt32(index))) }
        fileCRC.update(file[offset..<end + 4])
        offset = end + 4
    }
}

/// Writes `replay` again and reads it back: nothing may change. Frames are compared one at a time
/// in two reused values (materialising them all was most of the target's time, in ASan's allocator).
func roundTrip(_ replay: Replay) {
    var encoder = ReplayEncoder(header: replay.header)
    var frame = ConfirmedFrame(tick: .zero)
    for index in 0..<replay.frameCount {
        replay.frame(at: index, into: &frame)
        do { try encoder.append(frame) } catch { fuzzExpect(false, "a replay that was read cannot be written: \(error)") }
    }
    for checkpoint in replay.checkpoints { encoder.checkpoint(checkpoint) }
    for event in replay.events { encoder.event(event) }
    if let footer = replay.footer { encoder.finish(finalHash: footer.finalHash) } else { encoder.flush() }
    let bytes = encoder.takeOutput()
    guard let again = try? ReplayReader.read(bytes, mode: replay.footer == nil ? .recover : .strict, limits: fuzzLimits) else {
        fuzzExpect(false, "a replay written again does not read")
        return
    }
    fuzzExpect(again.header == replay.header, "the header changed through a write and read")
    fuzzExpect(again.frameCount == replay.frameCount, "the frame count changed through a write and read")
    var other = ConfirmedFrame(tick: .zero)
    for index in 0..<min(replay.frameCount, again.frameCount) {
        replay.frame(at: index, into: &frame)
        again.frame(at: index, into: &other)
        fuzzExpect(frame == other, "frame \(index) changed through a write and read")
    }
    fuzzExpect(again.checkpoints == replay.checkpoints, "the checkpoints changed through a write and read")
    fuzzExpect(again.events == replay.events, "the events changed through a write and read")
}

/// Lower than the standard limits, so a 4 KiB input claiming millions of frames through repeats
/// costs a refusal instead of materialising them: the same checks run, far faster per input.
let fuzzLimits = ReplayLimits(maxSlotEntries: 1 << 14, maxPayloadBytes: 1 << 18)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzReplay(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    var input = FuzzInput(start, count)
    let mode = input.byte()
    var file = Array(input.rest)
    if mode & 1 == 1 { fixChecksums(&file) }
    guard let replay = try? ReplayReader.read(file, mode: mode & 2 == 0 ? .strict : .recover, limits: fuzzLimits) else { return 0 }
    if replay.frameCount <= 20_000 { roundTrip(replay) }
    // Re-simulating costs about as much per frame as reading a whole small file: only short ones.
    if replay.frameCount <= 64 { _ = try? ReplayVerifier.verify(replay, using: .reference) }
    return 0
}

/// The program's entry (SwiftPM's renamed `main`): libFuzzer's driver on `fuzzReplay`.
@_cdecl("FuzzReplay_main")
public func fuzzReplayMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzzReplay)
}
