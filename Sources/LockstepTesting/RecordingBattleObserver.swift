import LockstepBattleServer
import Synchronization

/// A `BattleObserver` that records what it is told (on the server's observer queue), for tests
/// to read from any thread.
public final class RecordingBattleObserver: BattleObserver, Sendable {
    private let recorded = Mutex<(rooms: [RoomLifecycleEvent], states: [BattleServerState])>(([], []))

    public init() {}

    public func roomChanged(_ change: RoomLifecycleEvent) {
        recorded.withLock { $0.rooms.append(change) }
    }

    public func serverStateChanged(_ state: BattleServerState, counts: BattleCounts) {
        recorded.withLock { $0.states.append(state) }
    }

    /// Every room change so far, in the order told.
    public var roomChanges: [RoomLifecycleEvent] { recorded.withLock { $0.rooms } }

    /// The changes of one room, in order.
    public func changes(of roomID: String) -> [RoomLifecycleEvent.Change] {
        roomChanges.filter { $0.roomID == roomID }.map(\.change)
    }

    /// Every server state so far, in order.
    public var states: [BattleServerState] { recorded.withLock { $0.states } }
}
