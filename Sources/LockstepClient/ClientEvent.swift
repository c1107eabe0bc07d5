import LockstepCore
import LockstepProtocol

/// What a client reports to the game.
public enum ClientEvent: Equatable, Sendable {
    /// Seated in the room.
    case welcome(Welcome)
    /// The match started (or the schedule moved): tick deadlines follow `schedule`.
    case schedule(WireSchedule)
    /// Someone joined, left, dropped, came back; a desync; the match started or ended.
    case room(RoomEvent, tick: Tick, detail: String)
    /// The input delay changed (the room was told).
    case inputDelayChanged(Int)
    /// An error from the server.
    case serverError(code: UInt16, fatal: Bool, message: String)
    /// The connection dropped; `willReconnect` says whether a reconnect is scheduled.
    case disconnected(code: UInt16, willReconnect: Bool)
    /// Reconnecting: attempt number and wait before it (ns).
    case reconnecting(attempt: Int, delayNanos: UInt64)
    /// The frames confirmed contradicted the client's state: its sync is broken (a gap).
    case outOfSync(expected: Tick, got: Tick)
    /// The sync test re-simulated `tick` and got another hash: the simulation is not
    /// deterministic (reported once, for the first mismatch).
    case syncTestFailed(tick: Tick, first: UInt64, resimulated: UInt64)
    /// The client stopped for good before the match ended (the last event it reports).
    case failed(ClientFailure)
}
