import LockstepCore

#if canImport(Glibc)
import Glibc
#endif

/// Where one Frames record lies in a replay file: the ticks it holds and its bytes.
public struct ReplayFramesRecord: Equatable, Sendable {
    /// The tick of its first frame.
    public var firstTick: Tick
    /// How many frames it holds.
    public var frameCount: Int
    /// The file offset of the record (its kind byte).
    public var offset: Int
    /// The record's length, framing and checksum included.
    public var length: Int

    /// The ticks it holds.
    public var ticks: Range<Tick> { firstTick..<firstTick.advanced(by: frameCount) }

    public init(firstTick: Tick, frameCount: Int, offset: Int, length: Int) {
        self.firstTick = firstTick
        self.frameCount = frameCount
        self.offset = offset
        self.length = length
    }
}

/// Reads a range of frames from a replay file through its records' index, without reading the rest
/// of the file: each record the range touches is read with `pread`, its checksum checked, and its
/// frames decoded. For catching a player up from disk late in a long match.
public enum ReplayFrameReader {
    /// Calls `visit` with every frame of `range`, in tick order.
    ///
    /// - Parameters:
    ///   - records: the file's Frames records in tick order (`ReplayEncoder.framesRecords`).
    ///   - header: the file's header (slot count and payload limit).
    /// - Throws: `ReplayError` when the file cannot be read, a record is corrupt, or the records
    ///   do not cover `range`.
    public static func frames(
        in range: Range<Tick>, path: String, records: [ReplayFramesRecord], header: ReplayHeader,
        visit: (ConfirmedFrame) -> Void
    ) throws(ReplayError) {
        guard !range.isEmpty else { return }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw ReplayError(offset: 0, problem: .io("cannot open the replay: \(String(cString: strerror(errno)))"))
        }
        defer { close(fd) }
        var next = range.lowerBound
        var frame = ConfirmedFrame(tick: .zero, reservingSlots: header.players.count)
        for record in records where record.ticks.overlaps(range) {
            guard record.firstTick <= next else { break }
            let partial = try readRecord(record, fd: fd, header: header)
            var index = next.rawValue - record.firstTick.rawValue
            while Int(index) < partial.frameCount, next < range.upperBound {
                partial.frame(at: Int(index), into: &frame)
                visit(frame)
                index += 1
                next = next.next
            }
            if next >= range.upperBound { return }
        }
        throw ReplayError(offset: 0, problem: .truncated("the replay's records end before tick \(next)"))
    }

    /// Reads, checks and decodes one Frames record.
    static func readRecord(_ record: ReplayFramesRecord, fd: Int32, header: ReplayHeader) throws(ReplayError) -> Replay {
        guard record.length >= ReplayFormat.recordOverhead, record.length <= ReplayFormat.maxRecordBody + ReplayFormat.recordOverhead
        else { throw ReplayError(offset: record.offset, problem: .malformed("a frames record of \(record.length) bytes")) }
        var bytes = [UInt8](repeating: 0, count: record.length)
        var done = 0
        while done < bytes.count {
            let count = bytes.withUnsafeMutableBytes { raw in
                pread(fd, raw.baseAddress.map { $0 + done }, raw.count - done, off_t(record.offset + done))
            }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else {
                throw ReplayError(offset: record.offset + done, problem: .io("cannot read the replay at offset \(record.offset + done)"))
            }
            done += count
        }
        let stored = bytes.suffix(4).reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        let computed = CRC32.checksum(bytes[0..<bytes.count - 4])
        guard stored == computed else {
            throw ReplayError(offset: record.offset, problem: .checksumMismatch(expected: stored, actual: computed))
        }
        guard bytes[0] == ReplayRecordKind.frames.rawValue else {
            throw ReplayError(offset: record.offset, problem: .malformed("not a frames record"))
        }
        var partial = Replay(header: header)
        partial.firstTick = Int(record.firstTick.rawValue)
        var body = ByteReader(bytes, range: 5..<bytes.count - 4)
        try ReplayReader.readFrames(&body, into: &partial)
        guard partial.frameCount == record.frameCount else {
            throw ReplayError(offset: record.offset, problem: .malformed("the record holds \(partial.frameCount) frames, not \(record.frameCount)"))
        }
        return partial
    }
}
