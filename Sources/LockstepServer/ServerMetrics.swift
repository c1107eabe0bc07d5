import LockstepEventLoop

/// The server's counters: per-loop shards for per-message counts (no shared cache line on the
/// hot path), shared counters for rare events (closes, handshake failures).
public final class ServerMetrics: Sendable {
    /// Counters written by one loop's thread (the per-message ones as its sole writer, with
    /// `AtomicCounter.addAsSoleWriter`).
    public final class Shard: Sendable {
        /// Connections accepted.
        public let connectionsTotal = AtomicCounter()
        /// Connections closed.
        public let connectionsClosed = AtomicCounter()
        /// WebSocket upgrades completed.
        public let webSocketsOpened = AtomicCounter()
        /// Bytes read from sockets.
        public let bytesIn = AtomicCounter()
        /// Bytes queued for sockets.
        public let bytesOut = AtomicCounter()
        /// WebSocket frames received.
        public let framesIn = AtomicCounter()
        /// WebSocket frames sent.
        public let framesOut = AtomicCounter()
        /// WebSocket messages delivered to handlers.
        public let messagesIn = AtomicCounter()
        /// HTTP requests answered (not counting upgrades).
        public let httpRequests = AtomicCounter()
    }

    /// The close codes counted by name; others go to `other`.
    public static let closeCodes: [UInt16] = [1000, 1001, 1002, 1003, 1005, 1006, 1007, 1008, 1009, 1010, 1011]
    /// The handshake-failure reasons counted by name; others go to `other`.
    public static let handshakeReasons = [
        "malformed_request_line", "malformed_header", "head_too_large", "invalid_content_length", "body_too_large",
        "transfer_encoding", "unsupported_version", "method", "http_version", "missing_host", "not_upgrade", "version",
        "key", "origin", "not_found", "rejected", "timeout", "over_capacity", "address_limit", "other",
    ]

    /// One shard per loop, indexed by `EventLoop.index`.
    public let shards: [Shard]
    /// WebSocket closes by close code (sent or received, as the connection ended).
    public let closesByCode: [UInt16: AtomicCounter]
    /// Closes with a code not in `closeCodes`.
    public let closesOther = AtomicCounter()
    /// Refused handshakes and HTTP errors by reason.
    public let handshakeFailures: [String: AtomicCounter]
    /// Connections refused because `maxConnections` were open.
    public let connectionsRefused = AtomicCounter()

    /// Creates zeroed metrics for `loopCount` loops.
    public init(loopCount: Int) {
        shards = (0..<max(1, loopCount)).map { _ in Shard() }
        closesByCode = Dictionary(uniqueKeysWithValues: Self.closeCodes.map { ($0, AtomicCounter()) })
        handshakeFailures = Dictionary(uniqueKeysWithValues: Self.handshakeReasons.map { ($0, AtomicCounter()) })
    }

    /// Counts a WebSocket close with `code`.
    public func recordClose(code: UInt16) {
        (closesByCode[code] ?? closesOther).add()
    }

    /// Counts a refused handshake or HTTP error with `reason`.
    public func recordHandshakeFailure(_ reason: String) {
        (handshakeFailures[reason] ?? handshakeFailures["other"])?.add()
    }

    /// Connections open now, summed over the shards.
    public var connectionsOpen: UInt64 {
        let opened = shards.reduce(0) { $0 + $1.connectionsTotal.load }
        let closed = shards.reduce(0) { $0 + $1.connectionsClosed.load }
        return opened > closed ? opened - closed : 0
    }

    func sum(_ counter: KeyPath<Shard, AtomicCounter>) -> UInt64 {
        shards.reduce(0) { $0 + $1[keyPath: counter].load }
    }
}
