import Dispatch
import LockstepProtocol
import LockstepServer

extension BattleServer {
    /// The server's state now: serving, draining, drained or stopping.
    public var state: BattleServerState { lifecycle.serverState }

    /// Live rooms and connected players now.
    public var counts: BattleCounts { lifecycle.counts }

    /// Adds an observer of rooms and of the server's state (see `BattleObserver` for the thread it
    /// is called on). Add observers before `start()` to see every room.
    public func addObserver(_ observer: any BattleObserver) {
        lifecycle.add(observer)
    }

    /// Starts draining: new rooms are refused (503, `unavailable: the server is draining: it takes
    /// no new rooms`) while running matches go on to their end. When the last room ends the state
    /// becomes `drained` (at once when there is none); the caller (`lockstep serve`) then calls
    /// `shutdown()`. After `timeoutSeconds` (`nil`: never) the rooms still running end with
    /// `serverDrainTimeout`, which drains the server too.
    ///
    /// Calling it again changes nothing (the first timeout stands).
    ///
    /// - Returns: the state after the call.
    @discardableResult
    public func drain(timeoutSeconds: Int?) -> BattleServerState {
        let (state, began) = lifecycle.drain(timeoutSeconds: timeoutSeconds)
        guard began else { return state }
        let counts = lifecycle.counts
        logger.info(
            "drain_started",
            [
                "rooms": counts.rooms, "players": counts.players, "timeout_s": timeoutSeconds.map { "\($0)" } ?? "none",
            ])
        if let timeoutSeconds {
            DispatchQueue.global().asyncAfter(deadline: .now() + .seconds(timeoutSeconds)) { [weak self] in
                self?.drainTimedOut()
            }
        }
        return state
    }

    /// The drain timeout passed: ends the rooms still running (their ends drain the server).
    private func drainTimedOut() {
        guard case .draining = lifecycle.serverState else { return }
        let live = directory.all().filter { $0.1.endedReason == nil }
        logger.warning("drain_timeout", ["rooms": live.count, "reason": "serverDrainTimeout"])
        endRooms(live, reason: .serverDrainTimeout)
    }
}

/// Logs the server's state changes (`server_state` lines: draining, drained, stopping).
struct ServerStateLog: BattleObserver {
    let logger: Logger

    func serverStateChanged(_ state: BattleServerState, counts: BattleCounts) {
        logger.info("server_state", ["state": state.name, "rooms": counts.rooms, "players": counts.players])
    }
}
