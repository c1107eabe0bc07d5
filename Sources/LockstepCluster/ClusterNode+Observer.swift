import LockstepBattleServer
import LockstepProtocol

/// The battle server tells the node about its rooms and its state (on its observer queue); the
/// node writes them to the directory without waiting (Redis's worker does).
extension ClusterNode: BattleObserver {
    public func roomChanged(_ change: RoomLifecycleEvent) {
        let state: String
        var reason = ""
        switch change.change {
        case .created: state = "created"
        case .started: state = "running"
        case .ended(let why):
            state = "ended"
            reason = "\(why)"
        case .playerConnected, .playerDisconnected: return
        }
        let id = configuration.nodeID
        let room = change.roomID
        redis.eval(
            ClusterScripts.roomState, keys: [keys.room(room), keys.node(id), keys.nodeRooms(id)],
            arguments: [room, state, reason, String(configuration.retentionSeconds)]
        ) { [self] result in
            var failure: String?
            switch result {
            case .failure(let error): failure = error.description
            case .success(let reply): failure = reply.errorMessage
            }
            guard let failure else { return }
            // The heartbeat reconciles ended rooms once Redis is back.
            metrics.directoryFailures.add(1, ordering: .relaxed)
            logger.warning("cluster_directory_write_failed", ["room": room, "state": state, "error": failure])
        }
    }

    public func serverStateChanged(_ state: BattleServerState, counts: BattleCounts) {
        if state != .serving { startDraining() }
    }
}
