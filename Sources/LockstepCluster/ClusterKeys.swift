/// The Redis keys of one cluster (docs/CLUSTER.md, "Keys"), all under one prefix.
struct ClusterKeys: Sendable {
    let prefix: String

    /// SET of registered node ids (a member whose node key expired is dead).
    var nodes: String { prefix + "nodes" }
    /// HASH of a node (id, url, play, capacity, rooms, live, connections, state, heartbeat), with a TTL.
    func node(_ id: String) -> String { prefix + "node:" + id }
    /// SET of the rooms placed on a node.
    func nodeRooms(_ id: String) -> String { prefix + "node:" + id + ":rooms" }
    /// HASH of a room (node, url, play, state, createdAt, endReason).
    func room(_ id: String) -> String { prefix + "room:" + id }
}
