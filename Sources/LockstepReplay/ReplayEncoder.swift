import LockstepCore

/// Builds a replay file's bytes record by record, in memory (pure: no I/O).
///
/// Frames are gathered into one Frames record until `flush()`; checkpoints and events wait and are
/// written after the frames they follow, so a file cut at any record boundary is consistent.
/// Inputs repeat a lot, so each slot's payload is stored only when it differs from that slot's
/// previous payload in the same record, and a frame identical to the one before is a run count.
/// The buffers are reused: appending a frame allocates nothing once they have grown.
public struct ReplayEncoder: Sendable {
    /// Bytes produced and not yet taken by `takeOutput()`.
    private var output = ByteWriter()
    private var block = ByteWriter()
    private var pendingRecords = ByteWriter()
    private var blockFirstTick = Tick.zero
    private var blockFrameCount: UInt32 = 0
    private var pendingRun: UInt64 = 0
    private var previous = ConfirmedFrame(tick: .zero)
    private var hasPrevious = false
    private var fileCRC = CRC32()
    /// The tick the next frame must carry.
    public private(set) var nextTick = Tick.zero
    /// The number of players the header declared.
    public let slotCount: Int
    /// The header written at the start.
    public let header: ReplayHeader
    /// The bytes produced so far: the file offset of the next record.
    public private(set) var bytesEmitted = 0
    /// Where each Frames record produced so far lies in the file, in tick order: an index for
    /// reading old frames back without parsing the whole file (`ReplayFrameReader`).
    public private(set) var framesRecords: [ReplayFramesRecord] = []

    /// Starts a replay: the preamble and the header record are the first output.
    public init(header: ReplayHeader) {
        self.header = header
        slotCount = header.players.count
        var preamble = ByteWriter()
        preamble.append(ReplayFormat.magic)
        preamble.integer(ReplayFormat.version)
        preamble.integer(UInt16(0))
        emit(raw: preamble.bytes)
        var body = ByteWriter()
        body.shortString(header.simulationID)
        body.integer(header.simulationVersion)
        body.integer(header.tickRate)
        body.integer(header.inputDelay)
        body.integer(header.seed)
        body.integer(header.payloadLimit)
        body.integer(header.checkpointInterval)
        body.integer(header.recordedAtUnixMillis)
        body.shortString(header.roomID)
        body.u8(UInt8(truncatingIfNeeded: header.players.count))
        for (slot, player) in header.players.enumerated() {
            body.u8(UInt8(truncatingIfNeeded: slot))
            body.shortString(player)
        }
        emitRecord(.header, body.bytes)
    }

    /// Adds the next frame; its tick must be `nextTick` and it must hold `slotCount` slots.
    ///
    /// - Throws: `ReplayError.malformed` (offset −1) for a frame out of order or of the wrong size.
    public mutating func append(_ frame: ConfirmedFrame) throws(ReplayError) {
        guard frame.tick == nextTick, frame.slotCount == slotCount else {
            throw ReplayError(offset: -1, problem: .malformed("frame \(frame.tick) with \(frame.slotCount) slots does not follow tick \(nextTick) with \(slotCount) slots"))
        }
        if blockFrameCount == 0 { blockFirstTick = frame.tick }
        blockFrameCount += 1
        nextTick = frame.tick.next
        if hasPrevious && sameAsPrevious(frame) {
            pendingRun += 1
            return
        }
        closeRun()
        block.u8(ReplayFormat.tagFrame)
        for slot in 0..<slotCount {
            var flags = frame.status(of: slot).rawValue
            let range = frame.payloadRange(of: slot)
            let same = hasPrevious ? previous.payloadEquals(slot, range, in: frame.payloadBytes) : range.isEmpty
            if same {
                flags |= ReplayFormat.samePayloadFlag
                block.u8(flags)
            } else {
                block.u8(flags)
                block.varint(UInt64(range.count))
                block.append(frame.payloadBytes, range)
            }
        }
        previous.reset(tick: frame.tick)
        for slot in 0..<slotCount {
            previous.append(status: frame.status(of: slot), payloadFrom: frame.payloadBytes, range: frame.payloadRange(of: slot))
        }
        hasPrevious = true
    }

    /// Records the state hash after the frame of `tick` (written at the next flush).
    public mutating func checkpoint(_ checkpoint: ReplayCheckpoint) {
        var body = ByteWriter()
        body.integer(checkpoint.tick.rawValue)
        body.integer(checkpoint.hash)
        appendPending(.checkpoint, body.bytes)
    }

    /// Records an event (written at the next flush).
    public mutating func event(_ event: ReplayEvent) {
        var body = ByteWriter()
        body.integer(event.tick.rawValue)
        body.u8(event.kind.rawValue)
        body.u8(event.slot?.rawValue ?? 0xFF)
        let detail = Array(event.detail.utf8.prefix(Int(UInt16.max)))
        body.integer(UInt16(detail.count))
        body.append(detail)
        appendPending(.event, body.bytes)
    }

    /// Closes the current Frames record and queues it, then the waiting checkpoints and events.
    public mutating func flush() {
        if blockFrameCount > 0 {
            closeRun()
            var body = ByteWriter()
            body.integer(blockFirstTick.rawValue)
            body.integer(blockFrameCount)
            body.append(block.bytes)
            let offset = bytesEmitted
            emitRecord(.frames, body.bytes)
            framesRecords.append(
                ReplayFramesRecord(
                    firstTick: blockFirstTick, frameCount: Int(blockFrameCount), offset: offset,
                    length: bytesEmitted - offset))
            block.bytes.removeAll(keepingCapacity: true)
            blockFrameCount = 0
            hasPrevious = false
        }
        if !pendingRecords.bytes.isEmpty {
            emit(raw: pendingRecords.bytes)
            pendingRecords.bytes.removeAll(keepingCapacity: true)
        }
    }

    /// Flushes and writes the footer: the file is complete after this output.
    public mutating func finish(finalHash: UInt64) {
        flush()
        var body = ByteWriter()
        body.integer(nextTick.rawValue)
        body.integer(finalHash)
        body.integer(fileCRC.value)
        emitRecord(.footer, body.bytes)
    }

    /// Takes the bytes produced so far (to write them to a file).
    public mutating func takeOutput() -> [UInt8] {
        defer { output.bytes.removeAll(keepingCapacity: true) }
        return output.bytes
    }

    /// Hands the bytes produced so far to `body` without copying, then forgets them.
    public mutating func drainOutput(_ body: (UnsafeRawBufferPointer) -> Void) {
        output.bytes.withUnsafeBytes(body)
        output.bytes.removeAll(keepingCapacity: true)
    }

    private func sameAsPrevious(_ frame: ConfirmedFrame) -> Bool {
        for slot in 0..<slotCount where !frame.slotEquals(slot, in: previous) { return false }
        return true
    }

    private mutating func closeRun() {
        guard pendingRun > 0 else { return }
        block.u8(ReplayFormat.tagRepeat)
        block.varint(pendingRun)
        pendingRun = 0
    }

    private mutating func appendPending(_ kind: ReplayRecordKind, _ body: [UInt8]) {
        pendingRecords.bytes.append(contentsOf: Self.framed(kind, body))
    }

    private mutating func emitRecord(_ kind: ReplayRecordKind, _ body: [UInt8]) {
        emit(raw: Self.framed(kind, body))
    }

    private mutating func emit(raw: [UInt8]) {
        fileCRC.update(raw)
        bytesEmitted += raw.count
        output.append(raw)
    }

    static func framed(_ kind: ReplayRecordKind, _ body: [UInt8]) -> [UInt8] {
        var record = ByteWriter()
        record.u8(kind.rawValue)
        record.integer(UInt32(body.count))
        record.append(body)
        let crc = CRC32.checksum(record.bytes)
        record.integer(crc)
        return record.bytes
    }
}
