import Foundation
import LockstepBattleServer
import LockstepHTTP
import LockstepRedis
import LockstepServer
import Synchronization

/// One `lockstep serve` as a node of a cluster over Redis (docs/CLUSTER.md).
///
/// It registers the node and refreshes its key on a heartbeat thread, places new rooms on the
/// node with the most spare capacity, forwards their creation to that node's admin API, answers
/// for rooms of other nodes, and marks the rooms of dead nodes lost. Redis is only ever reached
/// through `RedisClient`'s worker thread and forwards through their own queue, so no event loop
/// waits on either. `Sendable`: its state is immutable, atomic, or under a mutex.
public final class ClusterNode: ClusterHooks, Sendable {
    /// The settings; a public URL on port 0 and an empty node id are filled in by `start(boundPort:)`.
    public var configuration: ClusterConfiguration { settings.withLock { $0 } }
    private let settings: Mutex<ClusterConfiguration>
    let battle: BattleServer
    let logger: Logger
    let redis: RedisClient
    let keys: ClusterKeys
    let metrics = ClusterMetrics()
    /// Forwarded creations and reads wait for the other node's answer here, off the loops.
    let forwards = DispatchQueue(label: "lockstep-cluster-forward", attributes: .concurrent)
    private let draining = Atomic<Bool>(false)
    private let stopped = Atomic<Bool>(false)
    private let heartbeatInFlight = Atomic<Bool>(false)
    private let heartbeatWake = DispatchSemaphore(value: 0)
    private let heartbeatDone = DispatchSemaphore(value: 0)
    /// Whether the last heartbeat reached Redis (logs say so once per change, not per beat).
    private let redisReachable = Atomic<Bool>(true)

    /// A node of the cluster `configuration` describes, serving `battle`'s rooms.
    ///
    /// - Throws: `ClusterConfigurationError` when a setting cannot work.
    public init(configuration: ClusterConfiguration, battle: BattleServer, logger: Logger) throws(ClusterConfigurationError) {
        var checked = configuration
        if checked.nodeID.isEmpty { checked.nodeID = "pending" }
        try checked.validate()
        settings = Mutex(configuration)
        self.battle = battle
        self.logger = logger
        keys = ClusterKeys(prefix: configuration.keyPrefix)
        redis = RedisClient(url: configuration.redis) { event in
            switch event {
            case .connected(let url, let reconnect):
                logger.info(reconnect ? "redis_reconnected" : "redis_connected", ["redis": url.description])
            case .connectFailed(let error, let retry):
                logger.warning("redis_connect_failed", ["error": error.description, "retry_ms": retry])
            case .connectionLost(let error):
                logger.warning("redis_connection_lost", ["error": error.description])
            }
        }
        battle.attachCluster(self)
        battle.addObserver(self)
        let metrics = metrics
        let redisMetrics = redis.metrics
        battle.addMetricsProvider { metrics.prometheus(redis: redisMetrics) }
        let node = self
        battle.addAdminRoute("GET", "/v1/cluster") { _, _, responder in node.status(responder) }
    }

    public var playBaseURL: String { configuration.playBaseURL }

    /// Whether the node is draining (published at the next heartbeat, which this call triggers).
    public var isDraining: Bool { draining.load(ordering: .relaxed) }

    /// Marks the node draining: placement skips it from the heartbeat this triggers on.
    public func startDraining() {
        guard !draining.exchange(true, ordering: .relaxed) else { return }
        logger.info("cluster_node_draining", ["node": configuration.nodeID])
        heartbeatWake.signal()
    }

    /// Starts the heartbeat (after the battle server started): the first one registers the node.
    ///
    /// - Parameter boundPort: the port the server bound; replaces port 0 in the public URL, and
    ///   names the node (`HOST:PORT`) when no id was given.
    public func start(boundPort: Int) {
        settings.withLock { settings in
            if settings.publicURL.hasSuffix(":0") { settings.publicURL = String(settings.publicURL.dropLast()) + String(boundPort) }
            if let url = settings.internalURL, url.hasSuffix(":0") { settings.internalURL = String(url.dropLast()) + String(boundPort) }
            if settings.nodeID.isEmpty {
                settings.nodeID = String(settings.publicURL.drop { $0 != "/" }.dropFirst(2))
            }
        }
        let thread = Thread { [self] in heartbeatLoop() }
        thread.name = "lockstep-cluster-heartbeat"
        thread.start()
    }

    /// Stops the heartbeat and removes the node from the directory (waits up to 2 s for Redis).
    /// Call from a thread that is not an event loop.
    public func stop() {
        guard !stopped.exchange(true, ordering: .relaxed) else { return }
        heartbeatWake.signal()
        _ = heartbeatDone.wait(timeout: .now() + .seconds(3))
        let id = configuration.nodeID
        let result = redis.evalAndWait(
            ClusterScripts.deregister, keys: [keys.nodes, keys.node(id), keys.nodeRooms(id)],
            arguments: [keys.prefix, String(configuration.retentionSeconds), id], timeoutMillis: 2000)
        switch result {
        case .success: logger.info("cluster_node_deregistered", ["node": id])
        case .failure(let error):
            metrics.directoryFailures.add(1, ordering: .relaxed)
            logger.warning("cluster_deregister_failed", ["node": id, "error": error.description, "note": "its key expires after the TTL"])
        }
        redis.stop()
    }

    // MARK: Heartbeat

    private func heartbeatLoop() {
        while !stopped.load(ordering: .relaxed) {
            beat()
            _ = heartbeatWake.wait(timeout: .now() + .milliseconds(configuration.heartbeatMillis))
        }
        heartbeatDone.signal()
    }

    /// One heartbeat (unless the last is still waiting on Redis) and one look for dead nodes.
    private func beat() {
        guard !heartbeatInFlight.exchange(true, ordering: .acquiring) else { return }
        let id = configuration.nodeID
        let now = Self.unixMillis()
        let arguments =
            [
                id, String(configuration.ttlMillis), isDraining ? "draining" : "ready", String(battle.openConnections), String(now),
                configuration.adminURL, configuration.playBaseURL, String(configuration.capacity),
                String(configuration.retentionSeconds), keys.prefix,
            ] + battle.liveRoomIDs()
        redis.eval(ClusterScripts.heartbeat, keys: [keys.nodes, keys.node(id), keys.nodeRooms(id)], arguments: arguments) { [self] result in
            heartbeatInFlight.store(false, ordering: .releasing)
            switch result {
            case .success(let reply):
                if let message = reply.errorMessage {
                    heartbeatFailed(message)
                    return
                }
                if !redisReachable.exchange(true, ordering: .relaxed) {
                    logger.info("cluster_heartbeat_recovered", ["node": id])
                }
                let values = reply.array ?? []
                if values.first?.integer == 1 {
                    metrics.registrations.add(1, ordering: .relaxed)
                    logger.info("cluster_node_registered", ["node": id, "rooms": arguments.count - 10, "url": configuration.publicURL])
                }
            case .failure(let error):
                heartbeatFailed(error.description)
            }
        }
        redis.eval(ClusterScripts.reap, keys: [keys.nodes], arguments: [keys.prefix, String(configuration.retentionSeconds), String(now)]) {
            [self] result in
            guard case .success(let reply) = result, let found = reply.array else { return }
            var index = 0
            while index + 1 < found.count {
                let node = found[index].string ?? "?"
                let rooms = Int(found[index + 1].integer ?? 0)
                metrics.nodesLost.add(1, ordering: .relaxed)
                metrics.roomsMarkedLost.add(rooms, ordering: .relaxed)
                logger.warning("cluster_node_lost", ["node": node, "rooms_marked_lost": rooms, "found_by": id])
                index += 2
            }
        }
    }

    private func heartbeatFailed(_ why: String) {
        metrics.heartbeatFailures.add(1, ordering: .relaxed)
        // Logged when Redis becomes unreachable, then counted: one line per outage, not per beat.
        if redisReachable.exchange(false, ordering: .relaxed) {
            logger.warning("cluster_heartbeat_failed", ["node": configuration.nodeID, "error": why, "effect": "rooms keep running; creations answer 503 until Redis is back"])
        }
    }

    static func unixMillis() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return UInt64(spec.tv_sec) * 1000 + UInt64(spec.tv_nsec) / 1_000_000
    }
}
