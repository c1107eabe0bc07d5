import Dispatch
import LockstepBattleServer
import LockstepServer
import Synchronization

/// Keeps Agones told about this server: `POST /ready` once it listens (retried while the sidecar
/// is not up yet), `POST /health` on an interval, the rooms Counter (count and capacity), the
/// players List, a label while draining, and `POST /shutdown` once drained or stopped.
///
/// It observes the battle server (`BattleObserver`) and does every SDK call on queues of its
/// own: `queue` (serial: ready, the game server, counters, lists, labels, shutdown) and
/// `healthQueue` (the health pings, so a slow call never delays them). Observer calls only
/// record what to publish and queue a sync; no event loop ever waits for the sidecar.
/// `Sendable`: its state is under a mutex, the rest is immutable.
public final class AgonesAgent: BattleObserver, Sendable {
    public let configuration: AgonesConfiguration
    private let sdk: AgonesSDK
    private let logger: Logger
    private let queue = DispatchQueue(label: "lockstep.agones")
    private let healthQueue = DispatchQueue(label: "lockstep.agones-health")

    private struct State {
        var isReady = false
        var isStopped = false
        var syncQueued = false
        var shutdownQueued = false
        /// What Agones should show …
        var counts = BattleCounts(rooms: 0, players: 0, maxRooms: 0)
        var players: Set<String> = []
        var draining = false
        /// … and what it was last told (`nil`: nothing yet).
        var publishedCounter: (count: Int, capacity: Int)?
        var publishedPlayers: Set<String> = []
        var publishedDraining = false
        /// Publishing stops when the sidecar says the Counter or List does not exist.
        var counterMissing = false
        var listMissing = false
        var healthFailing = false
        var gameServer: AgonesGameServer?
    }

    private let state = Mutex(State())

    public init(configuration: AgonesConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        sdk = AgonesSDK(port: configuration.sdkPort, timeoutSeconds: configuration.requestTimeoutSeconds)
    }

    /// Starts observing `battle` (already listening): ready (with retries), health pings,
    /// then the counts as they change.
    public func start(observing battle: BattleServer) {
        let counts = battle.counts
        state.withLock { $0.counts = counts }
        battle.addObserver(self)
        queue.async { self.attemptReady(delay: 0.05) }
        healthQueue.async { self.healthLoop() }
    }

    /// Waits (up to `timeoutSeconds`) until every queued call, the shutdown included, is done,
    /// then stops the health pings. Call after `BattleServer.shutdown()`.
    public func stop(timeoutSeconds: Double = 10) {
        let done = DispatchSemaphore(value: 0)
        queue.async { done.signal() }
        if done.wait(timeout: .now() + timeoutSeconds) == .timedOut {
            logger.warning("agones_stop_timeout", ["seconds": timeoutSeconds])
        }
        state.withLock { $0.isStopped = true }
    }

    /// The GameServer as the sidecar last described it (after ready).
    public var gameServer: AgonesGameServer? { state.withLock { $0.gameServer } }

    // MARK: BattleObserver (the server's observer queue)

    public func roomChanged(_ change: RoomLifecycleEvent) {
        let value = change.roomID + "/"
        state.withLock { state in
            state.counts = change.counts
            switch change.change {
            case .playerConnected(let playerID): state.players.insert(value + playerID)
            case .playerDisconnected(let playerID): state.players.remove(value + playerID)
            case .created, .started, .ended: break
            }
        }
        queueSync()
    }

    public func serverStateChanged(_ serverState: BattleServerState, counts: BattleCounts) {
        let shutdown = state.withLock { state -> Bool in
            state.counts = counts
            // Draining, drained or stopping: labelled, and no spare capacity offered.
            if serverState != .serving { state.draining = true }
            guard serverState == .drained || serverState == .stopping, !state.shutdownQueued else { return false }
            state.shutdownQueued = true
            return true
        }
        queueSync()
        if shutdown { queue.async { self.sendShutdown() } }
    }

    // MARK: On `queue`

    private func attemptReady(delay: Double) {
        guard !state.withLock({ $0.isStopped }) else { return }
        do throws(AgonesError) {
            try sdk.ready()
        } catch {
            logger.log(delay <= 0.05 ? .info : .debug, "agones_ready_retry", ["error": error, "retry_s": delay])
            queue.asyncAfter(deadline: .now() + delay) {
                self.attemptReady(delay: min(delay * 2, self.configuration.readyRetryMaxSeconds))
            }
            return
        }
        state.withLock { $0.isReady = true }
        do throws(AgonesError) {
            let gameServer = try sdk.gameServer()
            state.withLock { $0.gameServer = gameServer }
            logger.info(
                "agones_ready",
                [
                    "gameserver": gameServer.name, "namespace": gameServer.namespace, "state": gameServer.state,
                    "address": gameServer.address,
                    "ports": gameServer.ports.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(
                        separator: ","),
                    "labels": gameServer.labels.count,
                ])
        } catch {
            logger.warning("agones_gameserver_failed", ["error": error])
        }
        sync()
    }

    private func queueSync() {
        let queued = state.withLock { state -> Bool in
            guard !state.syncQueued else { return false }
            state.syncQueued = true
            return true
        }
        if queued { queue.async { self.sync() } }
    }

    /// Tells Agones what changed since it was last told: the label, the Counter, the List.
    private func sync() {
        let wanted = state.withLock { state in
            state.syncQueued = false
            return state
        }
        guard wanted.isReady else { return }
        if wanted.draining && !wanted.publishedDraining && !configuration.drainingLabel.isEmpty {
            do throws(AgonesError) {
                try sdk.setLabel(configuration.drainingLabel, "true")
                state.withLock { $0.publishedDraining = true }
            } catch {
                logger.warning("agones_label_failed", ["label": configuration.drainingLabel, "error": error])
            }
        }
        syncCounter(wanted)
        syncPlayers(wanted)
    }

    private func syncCounter(_ wanted: State) {
        guard !configuration.roomsCounter.isEmpty, !wanted.counterMissing else { return }
        // Draining: no spare capacity, so no allocation picks this server for a new room.
        let capacity = wanted.draining ? wanted.counts.rooms : wanted.counts.maxRooms
        let count = wanted.counts.rooms
        if let published = wanted.publishedCounter, published == (count, capacity) { return }
        do throws(AgonesError) {
            // Both at once: capacity first when it shrinks below the count would be refused.
            try sdk.updateCounter(configuration.roomsCounter, count: count, capacity: capacity)
            state.withLock { $0.publishedCounter = (count, capacity) }
            if count == 0, let before = wanted.publishedCounter?.count, before > 0, !wanted.draining {
                // Empty again: back to Ready (Agones' high-density pattern), so an Allocated
                // GameServer can be scaled down or replaced by a Fleet update.
                try sdk.ready()
                logger.info("agones_ready_again", ["rooms": 0])
            }
        } catch {
            if error.isNotFound { state.withLock { $0.counterMissing = true } }
            logger.warning(
                "agones_counter_failed",
                [
                    "counter": configuration.roomsCounter, "error": error,
                    "hint": error.isNotFound
                        ? "declare the Counter in the GameServer spec (docs/DEPLOY.md)" : "retried at the next change",
                ])
        }
    }

    private func syncPlayers(_ wanted: State) {
        guard !configuration.playersList.isEmpty, !wanted.listMissing else { return }
        let list = configuration.playersList
        // Sorted: the calls go out in the same order for the same change.
        for value in wanted.publishedPlayers.subtracting(wanted.players).sorted() {
            do throws(AgonesError) {
                try sdk.removeListValue(list, value)
            } catch {
                // 404: not in the List, which is what is wanted.
                guard error.isNotFound else { return listFailed(error, missing: false) }
            }
            state.withLock { _ = $0.publishedPlayers.remove(value) }
        }
        for value in wanted.players.subtracting(wanted.publishedPlayers).sorted() {
            do throws(AgonesError) {
                try sdk.addListValue(list, value)
            } catch {
                // 409 (ALREADY_EXISTS): in the List, which is what is wanted. 404: no such List.
                if case .status(409, _) = error {} else { return listFailed(error, missing: error.isNotFound) }
            }
            state.withLock { _ = $0.publishedPlayers.insert(value) }
        }
    }

    /// Logs a List failure and stops this sync (the next change retries, unless the List is missing).
    private func listFailed(_ error: AgonesError, missing: Bool) {
        if missing { state.withLock { $0.listMissing = true } }
        logger.warning(
            "agones_list_failed",
            [
                "list": configuration.playersList, "error": error,
                "hint": missing
                    ? "declare the List in the GameServer spec (docs/DEPLOY.md)" : "retried at the next change",
            ])
    }

    private func sendShutdown() {
        // Ready first: a server drained before the sidecar came up still tells it.
        guard state.withLock({ $0.isReady }) else {
            queue.asyncAfter(deadline: .now() + 0.1) { self.sendShutdown() }
            return
        }
        sync()
        for attempt in 1...3 {
            do throws(AgonesError) {
                try sdk.shutdown()
                logger.info("agones_shutdown", [:])
                return
            } catch {
                logger.warning("agones_shutdown_failed", ["error": error, "attempt": attempt])
            }
        }
    }

    // MARK: On `healthQueue`

    private func healthLoop() {
        guard !state.withLock({ $0.isStopped }) else { return }
        do throws(AgonesError) {
            try sdk.health()
            let recovered = state.withLock { state -> Bool in
                defer { state.healthFailing = false }
                return state.healthFailing
            }
            if recovered { logger.info("agones_health_recovered", [:]) }
            // Anything a failed call left unpublished goes out now.
            queueSync()
        } catch {
            let (first, ready) = state.withLock { state -> (Bool, Bool) in
                defer { state.healthFailing = true }
                return (!state.healthFailing, state.isReady)
            }
            // Before ready the sidecar may not be up yet: not worth a warning.
            if first { logger.log(ready ? .warning : .debug, "agones_health_failed", ["error": error]) }
        }
        healthQueue.asyncAfter(deadline: .now() + configuration.healthIntervalSeconds) { self.healthLoop() }
    }
}
