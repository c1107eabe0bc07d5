import LockstepProtocol
import LockstepRoom
import Synchronization

/// A room's figures, published by its driver (on the room's loop) for `/metrics` and the admin
/// API to read from any thread without locking.
final class RoomGauges: Sendable {
    let phase = Atomic<UInt8>(RoomPhase.waiting.rawValue)
    let connectedPlayers = Atomic<Int>(0)
    let spectators = Atomic<Int>(0)
    let ticks = Atomic<UInt64>(0)
    let lateTicks = Atomic<UInt64>(0)
    let lateDropped = Atomic<UInt64>(0)
    let lateMoved = Atomic<UInt64>(0)
    let missingRepeated = Atomic<UInt64>(0)
    let missingNeutral = Atomic<UInt64>(0)
    let disconnectedFilled = Atomic<UInt64>(0)
    let desyncs = Atomic<UInt64>(0)
    let framesSent = Atomic<UInt64>(0)
    let bytesSent = Atomic<UInt64>(0)
    let inputErrors = Atomic<UInt64>(0)
    /// A `RoomReplayState`, set by the replay writer's handlers (any thread).
    let replayState = Atomic<UInt8>(RoomReplayState.writing.rawValue)

    /// Copies the room's figures (called on the room's loop).
    func publish(_ room: Room) {
        phase.store(room.phase.rawValue, ordering: .relaxed)
        connectedPlayers.store(room.connectedPlayers, ordering: .relaxed)
        spectators.store(room.spectatorCount, ordering: .relaxed)
        let statistics = room.statistics
        ticks.store(statistics.ticks, ordering: .relaxed)
        lateTicks.store(statistics.lateTicks, ordering: .relaxed)
        desyncs.store(statistics.desyncs, ordering: .relaxed)
        framesSent.store(statistics.framesSent, ordering: .relaxed)
        bytesSent.store(statistics.bytesSent, ordering: .relaxed)
        inputErrors.store(statistics.inputErrors, ordering: .relaxed)
        let counters = room.inputCounters
        lateDropped.store(counters.lateDropped, ordering: .relaxed)
        lateMoved.store(counters.lateMoved, ordering: .relaxed)
        missingRepeated.store(counters.missingRepeated, ordering: .relaxed)
        missingNeutral.store(counters.missingNeutral, ordering: .relaxed)
        disconnectedFilled.store(counters.disconnectedFilled, ordering: .relaxed)
    }
}
