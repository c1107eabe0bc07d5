import LockstepRedis
import Synchronization

/// The cluster's counters (atomics, read by `/metrics` on any thread).
final class ClusterMetrics: Sendable {
    let placed = Atomic<Int>(0)
    let placementsFull = Atomic<Int>(0)
    let placementsFailed = Atomic<Int>(0)
    let forwardFailures = Atomic<Int>(0)
    let heartbeatFailures = Atomic<Int>(0)
    let registrations = Atomic<Int>(0)
    let nodesLost = Atomic<Int>(0)
    let roomsMarkedLost = Atomic<Int>(0)
    let redirects = Atomic<Int>(0)
    let directoryFailures = Atomic<Int>(0)

    /// Prometheus text for these counters and the Redis client's.
    func prometheus(redis: RedisClientMetrics) -> String {
        var text = ""
        func family(_ name: String, _ type: String, _ help: String, _ samples: [(String, Int)]) {
            text += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
            for (labels, value) in samples { text += "\(name)\(labels) \(value)\n" }
        }
        family("lockstep_redis_connected", "gauge", "1 while the node's Redis connection is open.", [("", redis.connected.load(ordering: .relaxed))])
        family("lockstep_redis_connects_total", "counter", "Redis connections opened (first and reconnects).", [("", redis.connects.load(ordering: .relaxed))])
        family("lockstep_redis_failures_total", "counter", "Redis failures by kind: connect attempts failed, open connections lost, requests refused while down.", [
            ("{kind=\"connect\"}", redis.connectFailures.load(ordering: .relaxed)),
            ("{kind=\"connection_lost\"}", redis.connectionFailures.load(ordering: .relaxed)),
            ("{kind=\"refused_while_down\"}", redis.refusedWhileDown.load(ordering: .relaxed)),
        ])
        family("lockstep_cluster_placements_total", "counter", "Room placements by result.", [
            ("{result=\"placed\"}", placed.load(ordering: .relaxed)),
            ("{result=\"full\"}", placementsFull.load(ordering: .relaxed)),
            ("{result=\"failed\"}", placementsFailed.load(ordering: .relaxed)),
        ])
        family("lockstep_cluster_forward_failures_total", "counter", "Creations forwarded to another node that failed.", [("", forwardFailures.load(ordering: .relaxed))])
        family("lockstep_cluster_heartbeat_failures_total", "counter", "Heartbeats that did not reach Redis.", [("", heartbeatFailures.load(ordering: .relaxed))])
        family("lockstep_cluster_registrations_total", "counter", "Times this node (re)registered (its key was absent).", [("", registrations.load(ordering: .relaxed))])
        family("lockstep_cluster_nodes_lost_total", "counter", "Dead nodes this node found (their key expired).", [("", nodesLost.load(ordering: .relaxed))])
        family("lockstep_cluster_rooms_marked_lost_total", "counter", "Rooms of dead nodes this node marked lost.", [("", roomsMarkedLost.load(ordering: .relaxed))])
        family("lockstep_cluster_wrong_node_total", "counter", "Players sent to the node that owns their room (error 16).", [("", redirects.load(ordering: .relaxed))])
        family("lockstep_cluster_directory_failures_total", "counter", "Directory reads and writes that failed (Redis down or an error reply).", [("", directoryFailures.load(ordering: .relaxed))])
        return text
    }
}
