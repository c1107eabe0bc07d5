import LockstepCore
import LockstepProtocol
import LockstepReplay

/// A connection as the room knows it: an opaque number the driver assigns.
public struct ConnectionID: Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt64

    public init(_ rawValue: UInt64) {
        self.rawValue = rawValue
    }

    public var description: String { "c\(rawValue)" }
}

/// Who joins: a player in a slot, or a spectator.
public enum JoinRole: Equatable, Sendable {
    case player(PlayerSlot)
    case spectator
}

/// Everything a room asks of the world. The room calls these on its own thread (its event loop);
/// the driver does the I/O. Message buffers are valid only during the call: copy or queue them.
public protocol RoomOutput: AnyObject {
    /// Sends one binary message to one connection.
    func send(_ message: UnsafeRawBufferPointer, to connection: ConnectionID)
    /// Sends the same bytes to every listed connection (encode once, send many).
    func broadcast(_ message: UnsafeRawBufferPointer, to connections: [ConnectionID])
    /// Closes a connection with a WebSocket close code and reason (after the queued messages).
    func close(_ connection: ConnectionID, code: UInt16, reason: String)
    /// Whether the connection's outbound queue is below its high watermark: catch-up frames are
    /// sent only then, and resume at `Room.connectionWritable(_:)`.
    func isWritable(_ connection: ConnectionID) -> Bool
    /// Whether frames older than the in-memory ring can be read back (a replay is being written).
    var canReadFramesFromDisk: Bool { get }
    /// Starts reading the frames of `range` from the replay on disk, off the room's thread, for a
    /// catch-up beyond the in-memory ring; the result comes back later, on the room's thread,
    /// through `Room.framesFromDisk(_:startingAt:for:now:)`. Returns `false` when it cannot start.
    func requestFramesFromDisk(_ range: Range<Tick>, for connection: ConnectionID) -> Bool
    /// Appends a confirmed frame to the replay.
    func recordFrame(_ frame: ConfirmedFrame)
    /// Records an event in the replay.
    func recordEvent(_ event: ReplayEvent)
    /// Records an agreed state hash in the replay.
    func recordCheckpoint(_ checkpoint: ReplayCheckpoint)
    /// The room has ended: finalize the replay with `finalHash`, then release the room.
    func roomEnded(reason: MatchEndReason, finalHash: UInt64)
    /// One structured log line (key=value pairs after the message).
    func log(_ level: LogLevel, _ message: String, _ fields: [(String, String)])
}
