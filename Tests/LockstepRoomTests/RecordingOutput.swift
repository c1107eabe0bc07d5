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

    func framesFromDisk(_ range: Range<Tick>) -> [[UInt8]]? {
        guard diskAvailable else { return nil }
        return frames.filter { range.contains($0.tick) }.map { frame in
            var writer = WireWriter()
            ServerMessageEncoder.frameBody(frame, into: &writer)
            return writer.bytes
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
