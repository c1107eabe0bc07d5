import LockstepRedis

/// How a node joins a cluster (`lockstep serve --cluster redis://…`): see docs/CLUSTER.md.
public struct ClusterConfiguration: Sendable {
    /// The cluster's Redis.
    public var redis: RedisURL
    /// This node's id in the directory (default: `HOST:PORT` of its public URL).
    public var nodeID: String
    /// This node's public base URL, `http://HOST:PORT` or `https://HOST[:PORT]` (behind a TLS
    /// proxy): players play at `ws(s)://HOST[:PORT]/v1/play`.
    public var publicURL: String
    /// Where the other nodes reach this node's admin API, `http://HOST:PORT` (`nil`: `publicURL`,
    /// which must then be `http://`).
    public var internalURL: String?
    /// The admin key every node shares (forwarded creations carry it).
    public var adminKey: String
    /// Rooms this node takes (its `--max-rooms`): placement fills nodes by spare capacity.
    public var capacity: Int
    /// How often the node refreshes its key and looks for dead nodes (1,000 ms).
    public var heartbeatMillis = 1000
    /// How long the node's key lives without a heartbeat (3,000 ms: three missed heartbeats). A
    /// killed node is detected within `ttlMillis + heartbeatMillis`.
    public var ttlMillis = 3000
    /// How long ended and lost rooms stay in the directory (600 s, as on one node).
    public var retentionSeconds = 600
    /// The prefix of every key (`lockstep:`), so clusters can share a Redis database.
    public var keyPrefix = "lockstep:"

    public init(redis: RedisURL, nodeID: String, publicURL: String, adminKey: String, capacity: Int) {
        self.redis = redis
        self.nodeID = nodeID
        self.publicURL = publicURL
        self.adminKey = adminKey
        self.capacity = capacity
    }

    /// The play endpoint base, `ws://HOST:PORT` or `wss://HOST[:PORT]` (from `publicURL`).
    public var playBaseURL: String {
        publicURL.hasPrefix("https://") ? "wss://" + publicURL.dropFirst("https://".count) : "ws://" + publicURL.dropFirst("http://".count)
    }

    /// The admin API base other nodes forward to: `internalURL`, else `publicURL`.
    public var adminURL: String { internalURL ?? publicURL }

    /// Whether `text` is `http://HOST:PORT` (no path).
    static func isHostPortURL(_ text: String, scheme: String = "http://", portRequired: Bool = true) -> Bool {
        guard text.hasPrefix(scheme) else { return false }
        let authority = text.dropFirst(scheme.count)
        guard !authority.isEmpty, !authority.contains("/"), !authority.hasPrefix(":") else { return false }
        guard let colon = authority.lastIndex(of: ":") else { return !portRequired }
        return Int(authority[authority.index(after: colon)...]).map { (0...65535).contains($0) } ?? false
    }

    /// Checks the settings; the message names what is wrong.
    public func validate() throws(ClusterConfigurationError) {
        guard !adminKey.isEmpty else {
            throw ClusterConfigurationError("cluster mode needs --admin-key: every node shares it (forwarded creations carry it)")
        }
        guard Self.isHostPortURL(publicURL) || Self.isHostPortURL(publicURL, scheme: "https://", portRequired: false) else {
            throw ClusterConfigurationError("--public-url takes http://HOST:PORT or https://HOST[:PORT], not '\(publicURL)'")
        }
        if let internalURL, !Self.isHostPortURL(internalURL) {
            throw ClusterConfigurationError("--internal-url takes http://HOST:PORT, not '\(internalURL)'")
        }
        guard Self.isHostPortURL(adminURL) else {
            throw ClusterConfigurationError("an https --public-url needs --internal-url http://HOST:PORT: where the other nodes reach this node's admin API")
        }
        guard !nodeID.isEmpty, nodeID.allSatisfy({ $0.isASCII && !$0.isWhitespace }) else {
            throw ClusterConfigurationError("--node-id must be non-empty ASCII without spaces")
        }
        guard heartbeatMillis >= 50, ttlMillis >= 2 * heartbeatMillis else {
            throw ClusterConfigurationError("the cluster TTL must be at least twice the heartbeat interval (and the interval at least 50 ms)")
        }
    }
}

/// A cluster setting that cannot work.
public struct ClusterConfigurationError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
