import LockstepCore
import LockstepProtocol

/// Where one connection stands in the frames it is owed.
struct CatchUpCursor {
    var connection: ConnectionID
    /// The next tick it is sent.
    var next: Tick
    /// A read of older frames from the replay on disk is under way for it.
    var awaitingDisk = false
    /// Frame bodies read from disk, from tick `next` on, not yet sent (sent in batches like the
    /// ring's, as writability allows).
    var diskFrames: [[UInt8]] = []
    var diskFramesSent = 0
    /// A delayed spectator: follows the spectator horizon for good. Everyone else goes live (joins
    /// `liveTargets`) once caught up with the confirmed ticks.
    var followsHorizon: Bool
}

/// Catch-up: past frames sent in bounded batches while the connection is writable, from the ring
/// or, before it, from the replay on disk read off the loop. A player rejoining at tick 100,000
/// of an 8-player match is sent megabytes; pacing keeps its outbound queue (and the server's
/// memory) bounded, and the loop never waits on the disk.
extension Room {
    /// Frames asked of the disk at a time.
    static let diskChunk = 2048

    /// Throws when frames from `from` up to `end` cannot be sent: before the ring, with no replay.
    func checkCatchUp(from: Tick, upTo end: Tick) throws(ProtocolError) {
        guard from < end else { return }
        let ringStart = ring.oldestTick ?? collector.nextTick
        if from < ringStart && !output.canReadFramesFromDisk {
            throw ProtocolError(.catchUpUnavailable, "frames from tick \(from) are not available")
        }
    }

    /// Starts sending `connection` the frames from `from`; live at once when there are none.
    func startCatchUp(_ connection: ConnectionID, from: Tick, followsHorizon: Bool, now: UInt64) {
        if !followsHorizon && from >= collector.nextTick {
            liveTargets.append(connection)
            return
        }
        cursors.append(CatchUpCursor(connection: connection, next: from, followsHorizon: followsHorizon))
        pump(connection, now: now)
    }

    /// The connection's outbound queue drained below its low watermark: send it more.
    public func connectionWritable(_ connection: ConnectionID, now: UInt64) {
        pump(connection, now: now)
    }

    /// The frames `bodies` (encoded FRAME bodies, from tick `start`) read from disk for
    /// `connection`, or `nil` when the read failed: the connection is then closed with
    /// `catchUpUnavailable` and counted as gone.
    public func framesFromDisk(_ bodies: [[UInt8]]?, startingAt start: Tick, for connection: ConnectionID, now: UInt64) {
        guard let index = cursorIndex(connection), cursors[index].awaitingDisk, cursors[index].next == start else { return }
        cursors[index].awaitingDisk = false
        guard let bodies, !bodies.isEmpty else {
            catchUpFailed(connection, now: now)
            return
        }
        cursors[index].diskFrames = bodies
        cursors[index].diskFramesSent = 0
        pump(connection, now: now)
    }

    /// After a tick: every cursor gets what is now due (a delayed spectator, one frame).
    func advanceCursors(now: UInt64) {
        var index = 0
        while index < cursors.count {
            let connection = cursors[index].connection
            pump(connection, now: now)
            // `pump` may have removed the cursor (caught up): look at the same index again then.
            if index < cursors.count && cursors[index].connection == connection { index += 1 }
        }
    }

    /// At match end: every delayed spectator gets the frames it still lacks, whatever its
    /// writability, so it sees the whole match (the ring holds them: the delay is below its capacity).
    func sendDelayedSpectatorsTheRest() {
        let end = collector.nextTick
        for cursor in cursors where cursor.followsHorizon && !cursor.awaitingDisk {
            let ringStart = ring.oldestTick ?? end
            guard cursor.next >= ringStart, cursor.next < end else { continue }
            sendFramesFromRing(from: cursor.next, count: cursor.next.distance(to: end), to: cursor.connection)
        }
    }

    /// Sends `connection` what it is owed while it is writable: batches from the ring, or one
    /// read from disk at a time for ticks before the ring. Goes live once caught up.
    func pump(_ connection: ConnectionID, now: UInt64) {
        guard let index = cursorIndex(connection) else { return }
        let target = cursors[index].followsHorizon ? spectatorHorizon : collector.nextTick
        while cursors[index].next < target {
            guard !cursors[index].awaitingDisk, output.isWritable(connection) else { return }
            let next = cursors[index].next
            let sent = cursors[index].diskFramesSent
            if sent < cursors[index].diskFrames.count {
                let count = min(Self.catchUpBatch, cursors[index].diskFrames.count - sent)
                sendBatches(count, to: connection) { offset, writer in
                    writer.bytes.append(contentsOf: cursors[index].diskFrames[sent + offset])
                }
                cursors[index].next = next.advanced(by: count)
                cursors[index].diskFramesSent = sent + count
                if sent + count == cursors[index].diskFrames.count {
                    cursors[index].diskFrames = []
                    cursors[index].diskFramesSent = 0
                }
                continue
            }
            let ringStart = ring.oldestTick ?? collector.nextTick
            if next < ringStart {
                let end = min(ringStart, next.advanced(by: Self.diskChunk))
                cursors[index].awaitingDisk = true
                if !output.requestFramesFromDisk(next..<end, for: connection) {
                    cursors[index].awaitingDisk = false
                    catchUpFailed(connection, now: now)
                }
                return
            }
            let count = min(Self.catchUpBatch, next.distance(to: target))
            sendFramesFromRing(from: next, count: count, to: connection)
            cursors[index].next = next.advanced(by: count)
        }
        if !cursors[index].followsHorizon {
            cursors.remove(at: index)
            liveTargets.append(connection)
        }
    }

    /// One FRAME, or FRAME_BATCH messages of at most `catchUpBatch` frames, from the ring.
    func sendFramesFromRing(from start: Tick, count: Int, to connection: ConnectionID) {
        if count == 1 {
            writer.clear()
            writer.u8(MessageType.frame.rawValue)
            _ = ring.withFrame(at: start) { body in writer.raw(body) }
            sendWriter(to: connection)
            _statistics.framesSent &+= 1
            return
        }
        sendBatches(count, to: connection) { offset, writer in
            _ = ring.withFrame(at: start.advanced(by: offset)) { body in writer.raw(body) }
        }
    }

    /// The frames a seated connection is owed cannot be had: it gets `catchUpUnavailable`, is
    /// counted as gone (a player as disconnected), and is closed.
    func catchUpFailed(_ connection: ConnectionID, now: UInt64) {
        let error = ProtocolError(.catchUpUnavailable, "frames before tick \(ring.oldestTick ?? collector.nextTick) are not available")
        sendError(error, to: connection)
        connectionClosed(connection, now: now)
        output.close(connection, code: error.code.closeCode, reason: error.code.description)
    }

    func cursorIndex(_ connection: ConnectionID) -> Int? {
        var index = 0
        while index < cursors.count {
            if cursors[index].connection == connection { return index }
            index += 1
        }
        return nil
    }
}
