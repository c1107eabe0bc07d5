import LockstepBattleServer
import LockstepCluster
import LockstepRedis
import LockstepServer

/// The cluster flags of `lockstep serve` (docs/CLUSTER.md) and the node they make.
enum ClusterOptions {
    static let specs = [
        OptionSpec("--cluster", value: "redis://HOST:PORT[/DB]", help: "Run as a node of the cluster whose directory is this Redis (needs --admin-key and --token-secret shared by every node).", environment: "LOCKSTEP_CLUSTER"),
        OptionSpec("--public-url", value: "URL", help: "This node's address for players, http://HOST:PORT or https://HOST[:PORT] behind a TLS proxy (default: the listening host and port).", environment: "LOCKSTEP_PUBLIC_URL"),
        OptionSpec("--internal-url", value: "URL", help: "Where the other nodes reach this node's admin API, http://HOST:PORT (default: --public-url; needed when that is https://).", environment: "LOCKSTEP_INTERNAL_URL"),
        OptionSpec("--node-id", value: "ID", help: "This node's id in the cluster (default: HOST:PORT of --public-url).", environment: "LOCKSTEP_NODE_ID"),
        OptionSpec("--cluster-heartbeat-ms", value: "MS", help: "How often the node refreshes its key and looks for dead nodes.", default: "1000", environment: "LOCKSTEP_CLUSTER_HEARTBEAT_MS"),
        OptionSpec("--cluster-ttl-ms", value: "MS", help: "How long the node's key lives without a heartbeat (a killed node is detected within TTL + heartbeat).", default: "3000", environment: "LOCKSTEP_CLUSTER_TTL_MS"),
    ]

    /// A started cluster node and how to finish starting it.
    struct Started {
        let node: ClusterNode
        func start(port: Int) { node.start(boundPort: port) }
    }

    /// The node the flags ask for (`nil` without `--cluster`), attached to `battle`.
    static func node(from arguments: ParsedArguments, battle: BattleServer, network: ServerConfiguration, logger: Logger) throws -> Started? {
        guard let text = arguments.value("--cluster") else {
            for name in ["--public-url", "--internal-url", "--node-id", "--cluster-heartbeat-ms", "--cluster-ttl-ms"] where arguments.value(name) != nil {
                throw UsageError("option '\(name)' needs --cluster")
            }
            return nil
        }
        let url: RedisURL
        do {
            url = try RedisURL(parsing: text)
        } catch {
            throw UsageError("option '--cluster' takes redis://HOST:PORT[/DB], not '\(text)'")
        }
        guard !battle.configuration.tokenSecret.isEmpty else {
            throw UsageError("cluster mode needs --token-secret: every node must verify the tokens the others mint")
        }
        if arguments.value("--public-url") == nil, network.host == "0.0.0.0" || network.host == "::" {
            throw UsageError("listening on \(network.host) needs --public-url: the address other nodes and players reach this one at")
        }
        let publicURL = arguments.value("--public-url") ?? "http://\(network.host):\(network.port)"
        var configuration = ClusterConfiguration(
            redis: url, nodeID: arguments.value("--node-id") ?? "", publicURL: publicURL, adminKey: battle.configuration.adminKey,
            capacity: battle.configuration.maxRooms)
        configuration.internalURL = arguments.value("--internal-url")
        configuration.heartbeatMillis = try arguments.integer("--cluster-heartbeat-ms", in: 50...60_000) ?? configuration.heartbeatMillis
        configuration.ttlMillis = try arguments.integer("--cluster-ttl-ms", in: 100...600_000) ?? configuration.ttlMillis
        configuration.retentionSeconds = Int(battle.configuration.endedRoomRetentionSeconds)
        do {
            return Started(node: try ClusterNode(configuration: configuration, battle: battle, logger: logger))
        } catch {
            throw UsageError(error.description)
        }
    }
}
