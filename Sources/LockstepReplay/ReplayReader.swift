import LockstepCore

/// Reads replay bytes, checking every record, and recovers truncated files.
public enum ReplayReader {
    /// How to treat a file that ends early.
    public enum Mode: Sendable {
        /// A file must be complete, with its footer; anything else is an error.
        case strict
        /// A file that ends inside a record, or before its footer, is read up to its last complete
        /// record and `Replay.recovery` says what was lost. Corruption is still an error.
        case recover
    }

    /// Reads a replay from `bytes`, holding at most what `limits` allow.
    ///
    /// - Throws: `ReplayError` naming the offset and what was wrong.
    public static func read(_ bytes: [UInt8], mode: Mode = .strict, limits: ReplayLimits = .standard) throws(ReplayError) -> Replay {
        guard bytes.count >= ReplayFormat.preambleSize else {
            if bytes.count < ReplayFormat.magic.count, !bytes.elementsEqual(ReplayFormat.magic.prefix(bytes.count)) {
                throw ReplayError(offset: 0, problem: .badMagic)
            }
            throw ReplayError(offset: bytes.count, problem: .truncated("file ends inside the preamble"))
        }
        guard bytes[0..<ReplayFormat.magic.count].elementsEqual(ReplayFormat.magic) else {
            throw ReplayError(offset: 0, problem: .badMagic)
        }
        let version = UInt16(bytes[8]) | UInt16(bytes[9]) << 8
        guard version == ReplayFormat.version else { throw ReplayError(offset: 8, problem: .unsupportedVersion(version)) }

        var offset = ReplayFormat.preambleSize
        var replay: Replay?
        var footerSeen = false
        var fileCRC = CRC32()
        fileCRC.update(bytes[0..<offset])
        while offset < bytes.count {
            let remaining = bytes.count - offset
            let bodyLength: Int
            if remaining >= 5 {
                bodyLength = Int(UInt32(bytes[offset + 1]) | UInt32(bytes[offset + 2]) << 8 | UInt32(bytes[offset + 3]) << 16 | UInt32(bytes[offset + 4]) << 24)
                guard bodyLength <= ReplayFormat.maxRecordBody else {
                    throw ReplayError(offset: offset + 1, problem: .malformed("record length \(bodyLength) exceeds the limit of \(ReplayFormat.maxRecordBody)"))
                }
            } else {
                bodyLength = Int.max / 2
            }
            let recordLength = bodyLength + ReplayFormat.recordOverhead
            guard remaining >= recordLength else {
                let reason = "file ends inside a record at offset \(offset) (\(remaining) of its bytes present)"
                return try finishTruncated(replay, mode: mode, offset: offset, total: bytes.count, reason: reason)
            }
            if footerSeen { throw ReplayError(offset: offset, problem: .malformed("data after the footer")) }
            let stored = UInt32(bytes[offset + recordLength - 4]) | UInt32(bytes[offset + recordLength - 3]) << 8
                | UInt32(bytes[offset + recordLength - 2]) << 16 | UInt32(bytes[offset + recordLength - 1]) << 24
            let computed = CRC32.checksum(bytes[offset..<offset + recordLength - 4])
            guard stored == computed else {
                throw ReplayError(offset: offset, problem: .checksumMismatch(expected: stored, actual: computed))
            }
            let bodyRange = offset + 5..<offset + 5 + bodyLength
            guard let kind = ReplayRecordKind(rawValue: bytes[offset]) else {
                throw ReplayError(offset: offset, problem: .malformed("unknown record kind \(bytes[offset])"))
            }
            var body = ByteReader(bytes, range: bodyRange)
            if replay == nil && kind != .header {
                throw ReplayError(offset: offset, problem: .malformed("first record is not the header"))
            }
            switch kind {
            case .header:
                guard replay == nil else { throw ReplayError(offset: offset, problem: .malformed("a second header record")) }
                replay = Replay(header: try readHeader(&body))
            case .frames:
                if var current = replay {
                    replay = nil  // keep the arrays uniquely referenced while appending
                    try readFrames(&body, into: &current, limits: limits)
                    replay = current
                }
            case .checkpoint:
                let tick = Tick(try body.integer(UInt32.self, "checkpoint tick"))
                replay?.checkpoints.append(ReplayCheckpoint(tick: tick, hash: try body.integer(UInt64.self, "checkpoint hash")))
            case .event:
                replay?.events.append(try readEvent(&body))
            case .footer:
                let tickCount = try body.integer(UInt32.self, "footer tick count")
                let finalHash = try body.integer(UInt64.self, "footer final hash")
                let checksum = try body.integer(UInt32.self, "footer checksum")
                guard checksum == fileCRC.value else {
                    throw ReplayError(offset: offset, problem: .checksumMismatch(expected: checksum, actual: fileCRC.value))
                }
                guard Int(tickCount) == replay?.frameCount else {
                    throw ReplayError(offset: offset, problem: .malformed("footer counts \(tickCount) ticks but the file holds \(replay?.frameCount ?? 0)"))
                }
                replay?.footer = ReplayFooter(tickCount: tickCount, finalHash: finalHash, fileChecksum: checksum)
                footerSeen = true
            }
            guard body.isAtEnd else {
                throw ReplayError(offset: body.offset, problem: .malformed("\(body.remaining) unexpected bytes at the end of a record"))
            }
            fileCRC.update(bytes[offset..<offset + recordLength])
            offset += recordLength
        }
        guard footerSeen, var complete = replay else {
            return try finishTruncated(replay, mode: mode, offset: offset, total: bytes.count, reason: "file ends before the footer")
        }
        complete.byteCount = bytes.count
        return complete
    }

    private static func finishTruncated(_ replay: Replay?, mode: Mode, offset: Int, total: Int, reason: String) throws(ReplayError) -> Replay {
        guard mode == .recover, var recovered = replay else {
            throw ReplayError(offset: offset, problem: .truncated(replay == nil ? "file ends before the header is complete" : reason))
        }
        recovered.recovery = ReplayRecovery(validBytes: offset, discardedBytes: total - offset, reason: reason)
        recovered.byteCount = total
        return recovered
    }

    static func readHeader(_ body: inout ByteReader) throws(ReplayError) -> ReplayHeader {
        let simulationID = try body.shortString("simulation id")
        let simulationVersion = try body.integer(UInt16.self, "simulation version")
        let tickRate = try body.integer(UInt16.self, "tick rate")
        guard (1...240).contains(tickRate) else { throw ReplayError(offset: body.offset - 2, problem: .malformed("tick rate \(tickRate) is not 1 to 240")) }
        let inputDelay = try body.integer(UInt16.self, "input delay")
        let seed = try body.integer(UInt64.self, "seed")
        let payloadLimit = try body.integer(UInt16.self, "payload limit")
        guard payloadLimit <= InputFrame.hardPayloadLimit else { throw ReplayError(offset: body.offset - 2, problem: .malformed("payload limit \(payloadLimit) exceeds 1024")) }
        let checkpointInterval = try body.integer(UInt32.self, "checkpoint interval")
        let recordedAt = try body.integer(UInt64.self, "recording time")
        let roomID = try body.shortString("room id")
        let countOffset = body.offset
        let count = Int(try body.u8("player count"))
        guard (1...PlayerSlot.maximumCount).contains(count) else { throw ReplayError(offset: countOffset, problem: .malformed("player count \(count) is not 1 to 64")) }
        var players: [String] = []
        for expected in 0..<count {
            let slotOffset = body.offset
            let slot = Int(try body.u8("player slot"))
            guard slot == expected else { throw ReplayError(offset: slotOffset, problem: .malformed("player slot \(slot) where \(expected) was expected")) }
            players.append(try body.shortString("player id"))
        }
        return ReplayHeader(
            simulationID: simulationID, simulationVersion: simulationVersion, tickRate: tickRate, inputDelay: inputDelay,
            seed: seed, payloadLimit: payloadLimit, checkpointInterval: checkpointInterval, recordedAtUnixMillis: recordedAt,
            roomID: roomID, players: players)
    }

    static func readFrames(_ body: inout ByteReader, into replay: inout Replay, limits: ReplayLimits = .standard) throws(ReplayError) {
        let firstOffset = body.offset
        let firstTick = try body.integer(UInt32.self, "first tick")
        guard Int(firstTick) == replay.firstTick + replay.frameCount else {
            throw ReplayError(offset: firstOffset, problem: .malformed("frames start at tick \(firstTick) but \(replay.firstTick + replay.frameCount) was expected"))
        }
        let countOffset = body.offset
        let count = Int(try body.integer(UInt32.self, "frame count"))
        let slots = replay.slotCount
        // Every count is checked against what a reader may hold before it is acted on: a few
        // bytes of repeats can claim billions of frames.
        guard (replay.frameCount + count) * max(1, slots) <= limits.maxSlotEntries else {
            throw ReplayError(
                offset: countOffset,
                problem: .malformed("a record of \(count) frames would hold more than \(limits.maxSlotEntries) slot entries"))
        }
        let limit = Int(replay.header.payloadLimit)
        var decoded = 0
        var previousStart = replay.statuses.count  // index of the previous frame's first slot in this record
        var hasPrevious = false
        while decoded < count {
            let tagOffset = body.offset
            let tag = try body.u8("frame tag")
            switch tag {
            case ReplayFormat.tagRepeat:
                let run = try body.varint("repeat count")
                guard hasPrevious, run >= 1, run <= UInt64(count - decoded) else {
                    throw ReplayError(offset: tagOffset, problem: .malformed("repeat of \(run) frames is not allowed here"))
                }
                // The payload bytes of the frame repeated (0 with no slots).
                let frameEnd = slots > 0 ? Int(replay.payloadEnds[previousStart + slots - 1]) : 0
                let frameStart = previousStart > 0 ? Int(replay.payloadEnds[previousStart - 1]) : 0
                let frameBytes = max(0, frameEnd - frameStart)
                guard replay.payloadBytes.count + Int(run) * frameBytes <= limits.maxPayloadBytes else {
                    throw ReplayError(
                        offset: tagOffset,
                        problem: .malformed("repeat of \(run) frames would hold more than \(limits.maxPayloadBytes) payload bytes"))
                }
                // The repeated frame is copied out once; each repeat then appends from the copy.
                let statuses = Array(replay.statuses[previousStart..<previousStart + slots])
                let payload = Array(replay.payloadBytes[frameStart..<frameStart + frameBytes])
                var lengths = [Int](repeating: 0, count: slots)
                for slot in 0..<slots {
                    let index = previousStart + slot
                    lengths[slot] = Int(replay.payloadEnds[index]) - (index == 0 ? 0 : Int(replay.payloadEnds[index - 1]))
                }
                replay.statuses.reserveCapacity(replay.statuses.count + Int(run) * slots)
                replay.payloadEnds.reserveCapacity(replay.payloadEnds.count + Int(run) * slots)
                replay.payloadBytes.reserveCapacity(replay.payloadBytes.count + Int(run) * frameBytes)
                for _ in 0..<Int(run) {
                    let start = replay.statuses.count
                    var cursor = 0
                    for slot in 0..<slots {
                        replay.appendSlot(statuses[slot], payload[cursor..<cursor + lengths[slot]])
                        cursor += lengths[slot]
                    }
                    previousStart = start
                }
                decoded += Int(run)
            case ReplayFormat.tagFrame:
                let start = replay.statuses.count
                for slot in 0..<slots {
                    let flagsOffset = body.offset
                    let flags = try body.u8("slot flags")
                    guard flags & ~(ReplayFormat.samePayloadFlag | 0x03) == 0, let status = InputStatus(rawValue: flags & 0x03) else {
                        throw ReplayError(offset: flagsOffset, problem: .malformed("reserved bits set in slot flags \(flags)"))
                    }
                    if flags & ReplayFormat.samePayloadFlag != 0 {
                        if hasPrevious {
                            let index = previousStart + slot
                            let payloadStart = index == 0 ? 0 : Int(replay.payloadEnds[index - 1])
                            let payload = Array(replay.payloadBytes[payloadStart..<Int(replay.payloadEnds[index])])
                            replay.appendSlot(status, payload)
                        } else {
                            replay.appendSlot(status, EmptyCollection())
                        }
                    } else {
                        let lengthOffset = body.offset
                        let length = try body.varint("payload length")
                        guard length <= UInt64(limit) else {
                            throw ReplayError(offset: lengthOffset, problem: .malformed("payload of \(length) bytes exceeds the limit of \(limit)"))
                        }
                        replay.appendSlot(status, try body.take(Int(length), "payload"))
                    }
                }
                previousStart = start
                hasPrevious = true
                decoded += 1
            default:
                throw ReplayError(offset: tagOffset, problem: .malformed("unknown frame tag \(tag)"))
            }
        }
    }

    static func readEvent(_ body: inout ByteReader) throws(ReplayError) -> ReplayEvent {
        let tick = Tick(try body.integer(UInt32.self, "event tick"))
        let kindOffset = body.offset
        let rawKind = try body.u8("event kind")
        guard let kind = ReplayEvent.Kind(rawValue: rawKind) else {
            throw ReplayError(offset: kindOffset, problem: .malformed("unknown event kind \(rawKind)"))
        }
        let rawSlot = try body.u8("event slot")
        let length = Int(try body.integer(UInt16.self, "event detail length"))
        let detailOffset = body.offset
        let raw = try body.take(length, "event detail")
        guard let detail = String(validating: raw, as: UTF8.self) else {
            throw ReplayError(offset: detailOffset, problem: .malformed("event detail is not valid UTF-8"))
        }
        return ReplayEvent(tick: tick, kind: kind, slot: rawSlot == 0xFF ? nil : PlayerSlot(rawSlot), detail: detail)
    }
}
