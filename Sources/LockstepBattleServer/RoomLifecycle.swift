import Dispatch
import LockstepProtocol
import Synchronization

/// Counts the live rooms and connected players, keeps the server's state (serving, draining,
/// drained, stopping), and tells the `BattleObserver`s about every change.
///
/// Thread-safe: a mutex guards the counts, the state and the observer list. It is taken once per
/// room creation, match start, player connection or disconnection, and room end, on the room's
/// loop; never per tick or input. Each change is queued to `queue` (a private serial dispatch
/// queue) while the lock is held, so observers see the changes in the order they were counted;
/// no event loop ever waits for an observer.
final class RoomLifecycle: Sendable {
    private struct State {
        var serverState = BattleServerState.serving
        var rooms = 0
        var players = 0
        var observers: [any BattleObserver] = []
    }

    private let state = Mutex(State())
    private let queue = DispatchQueue(label: "lockstep.battle-observers")
    let maxRooms: Int

    init(maxRooms: Int) {
        self.maxRooms = maxRooms
    }

    /// The counts now.
    var counts: BattleCounts { state.withLock { counts(of: $0) } }

    /// The server's state now.
    var serverState: BattleServerState { state.withLock { $0.serverState } }

    /// Why a room cannot be created now, or `nil` while serving.
    var refusal: String? {
        switch serverState {
        case .serving: nil
        case .draining, .drained: "the server is draining: it takes no new rooms"
        case .stopping: "the server is shutting down"
        }
    }

    func add(_ observer: any BattleObserver) {
        state.withLock { $0.observers.append(observer) }
    }

    /// Counts a room about to be created; `false` (and nothing counted) unless serving. Call
    /// `created` or `cancelCreation` after.
    func beginCreation() -> Bool {
        state.withLock { state in
            guard state.serverState == .serving else { return false }
            state.rooms += 1
            return true
        }
    }

    /// A creation counted by `beginCreation` failed.
    func cancelCreation() {
        state.withLock { state in
            state.rooms -= 1
            settleDrain(&state)
        }
    }

    func created(_ roomID: String, playerIDs: [String]) {
        room(roomID, .created(playerIDs: playerIDs)) { _ in }
    }

    func started(_ roomID: String) {
        room(roomID, .started) { _ in }
    }

    func playerConnected(_ roomID: String, playerID: String) {
        room(roomID, .playerConnected(playerID: playerID)) { $0.players += 1 }
    }

    func playerDisconnected(_ roomID: String, playerID: String) {
        room(roomID, .playerDisconnected(playerID: playerID)) { $0.players -= 1 }
    }

    /// A room counted by `beginCreation` ended (after its players' disconnections).
    func ended(_ roomID: String, reason: MatchEndReason) {
        room(roomID, .ended(reason)) { $0.rooms -= 1 }
    }

    /// Starts draining (once; later calls change nothing).
    ///
    /// - Returns: the state after the call, and whether this call began the drain.
    func drain(timeoutSeconds: Int?) -> (state: BattleServerState, began: Bool) {
        state.withLock { state in
            guard state.serverState == .serving else { return (state.serverState, false) }
            enter(.draining(timeoutSeconds: timeoutSeconds), &state)
            settleDrain(&state)
            return (state.serverState, true)
        }
    }

    /// Enters `stopping` (from any state but `stopping`).
    func stop() {
        state.withLock { state in
            guard state.serverState != .stopping else { return }
            enter(.stopping, &state)
        }
    }

    /// Returns once every change made before the call has been delivered to the observers.
    func flush() {
        queue.sync {}
    }

    /// `lockstep_server_state{state}`: 1 for the state the server is in, 0 for the others.
    func prometheus() -> String {
        let current = serverState.name
        var out = "# HELP lockstep_server_state The server's state: serving, draining, drained or stopping.\n"
        out += "# TYPE lockstep_server_state gauge\n"
        for name in ["serving", "draining", "drained", "stopping"] {
            out += "lockstep_server_state{state=\"\(name)\"} \(name == current ? 1 : 0)\n"
        }
        return out
    }

    // MARK: Under the lock

    private func room(_ roomID: String, _ change: RoomLifecycleEvent.Change, _ count: (inout State) -> Void) {
        state.withLock { state in
            count(&state)
            let event = RoomLifecycleEvent(roomID: roomID, change: change, counts: counts(of: state))
            let observers = state.observers
            if !observers.isEmpty {
                queue.async { for observer in observers { observer.roomChanged(event) } }
            }
            if case .ended = change { settleDrain(&state) }
        }
    }

    /// Draining with no room left: drained.
    private func settleDrain(_ state: inout State) {
        if case .draining = state.serverState, state.rooms == 0 { enter(.drained, &state) }
    }

    private func enter(_ serverState: BattleServerState, _ state: inout State) {
        state.serverState = serverState
        let observers = state.observers
        let counts = counts(of: state)
        queue.async { for observer in observers { observer.serverStateChanged(serverState, counts: counts) } }
    }

    private func counts(of state: State) -> BattleCounts {
        BattleCounts(rooms: state.rooms, players: state.players, maxRooms: maxRooms)
    }
}
