import LockstepCore
import LockstepProtocol
import LockstepReplay
@testable import LockstepRoom

/// A `RoomOutput` that keeps everything the room says, decoded per connection.
final class RecordingOutput: RoomOutput {
    var received: [ConnectionID: [ServerMessage]] = [:]
    var closed: [ConnectionID: UInt16] = [:]
    var frames: [ConfirmedFrame] = []
    var events: [ReplayEvent] = []
    var checkpoints: [ReplayCheckpoint] = []
    var ended: (MatchEndReason, UInt64)?
    var logs: [String] = []
    /// Bodies the "disk" can provide (all recorded frames, encoded).
    var diskAvailable = true
    /// When false, messages are counted but not decoded (for allocation tests).
    var decode = true
    var sendCount = 0

    func send(_ message: UnsafeRawBufferPointer, to connection: ConnectionID) {
        sendCount += 1
        if queueLimit != nil {
            queued[connection, default: 0] += message.count
            largestQueue = max(largestQueue, queued[connection, default: 0])
        }
        guard decode else { return }
        received[connection, default: []].append((try? ServerMessage.decode(message)) ?? .error(code: 0, fatal: true, message: "undecodable"))
    }

    /// Run once, from inside the next FRAME broadcast (as a connection closed by a failed send would).
    var duringNextFrameBroadcast: (() -> Void)?

    func broadcast(_ message: UnsafeRawBufferPointer, to connections: [ConnectionID]) {
        if message.count > 0, message[0] == MessageType.frame.rawValue, let reenter = duringNextFrameBroadcast {
            duringNextFrameBroadcast = nil
            reenter()
        }
        var index = 0
        while index < connections.count {
            send(message, to: connections[index])
            index += 1
        }
    }

    func close(_ connection: ConnectionID, code: UInt16, reason: String) { closed[connection] = code }

    /// Connections whose outbound queue is "full": catch-up waits for them.
    var unwritable: Set<ConnectionID> = []
    /// Disk reads asked for and not yet answered.
    var diskRequests: [(range: Range<Tick>, connection: ConnectionID)] = []

    /// When set, a connection is writable only while the bytes sent to it since its last
    /// `drain` are under this limit (a queue the peer empties when the test says).
    var queueLimit: Int?
    var queued: [ConnectionID: Int] = [:]
    /// The most bytes any connection held queued.
    var largestQueue = 0

    func drain(_ connection: ConnectionID) { queued[connection] = 0 }

    func isWritable(_ connection: ConnectionID) -> Bool {
        !unwritable.contains(connection) && (queueLimit.map { queued[connection, default: 0] < $0 } ?? true)
    }

    var canReadFramesFromDisk: Bool { diskAvailable }

    func requestFramesFromDisk(_ range: Range<Tick>, for connection: ConnectionID) -> Bool {
        guard diskAvailable else { return false }
        diskRequests.append((range, connection))
        return true
    }

    /// Answers every pending disk read from the recorded frames (as the driver does, later, on the
    /// room's thread), until none is left.
    func completeDiskReads(_ room: Room, now: UInt64) {
        while !diskRequests.isEmpty {
            let (range, connection) = diskRequests.removeFirst()
            let bodies = frames.filter { range.contains($0.tick) }.map { frame in
                var writer = WireWriter()
                ServerMessageEncoder.frameBody(frame, into: &writer)
                return writer.bytes
            }
            room.framesFromDisk(bodies, startingAt: range.lowerBound, for: connection, now: now)
        }
    }

    func recordFrame(_ frame: ConfirmedFrame) { if decode { frames.append(frame) } }
    func recordEvent(_ event: ReplayEvent) { events.append(event) }
    func recordCheckpoint(_ checkpoint: ReplayCheckpoint) { if decode { checkpoints.append(checkpoint) } }
    func roomEnded(reason: MatchEndReason, finalHash: UInt64) { ended = (reason, finalHash) }
    func log(_ level: LogLevel, _ message: String, _ fields: [(String, String)]) { if decode { logs.append(message) } }

    /// Every frame a connection received, from FRAME and FRAME_BATCH messages, in order.
    func framesReceived(by connection: ConnectionID) -> [ConfirmedFrame] {
        (received[connection] ?? []).flatMap { message -> [ConfirmedFrame] in
            switch message {
            case .frame(let frame): [frame]
            case .frameBatch(let frames): frames
            default: []
            }
        }
    }

    func errors(for connection: ConnectionID) -> [UInt16] {
        (received[connection] ?? []).compactMap { if case .error(let code, _, _) = $0 { code } else { nil } }
    }
}
