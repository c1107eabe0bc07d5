import LockstepEventLoop

/// Everything the server is configured with, with safe defaults; `validate()` rejects impossible combinations.
public struct ServerConfiguration: Sendable {
    /// The address to listen on (loopback by default: exposing the server is a deliberate choice).
    public var host = "127.0.0.1"
    /// The port; 0 picks a free one (tests).
    public var port = 8080
    /// The number of event loops; `nil` means one per core.
    public var loopCount: Int?
    /// How the loops group their wake-ups (docs/NETWORK.md, "Wake-ups"): by default neither
    /// window (room phases are grouped by the battle server's phase slots instead).
    public var wakeups = WakeupPolicy.immediate
    /// How long a new connection may take to send a complete request: 10 s, as the issue asks.
    public var handshakeTimeout: Duration = .seconds(10)
    /// A WebSocket that sends nothing for this long is closed with 1001 (60 s).
    public var idleTimeout: Duration = .seconds(60)
    /// A WebSocket quiet for this long is pinged (20 s, well under common proxy timeouts).
    public var pingInterval: Duration = .seconds(20)
    /// The largest frame payload accepted (1 MiB: game messages are far smaller).
    public var maxFrameSize = 1024 * 1024
    /// The largest message accepted across its fragments (1 MiB).
    public var maxMessageSize = 1024 * 1024
    /// The limit on an HTTP request line and headers (8 KiB).
    public var maxHeadBytes = 8 * 1024
    /// The limit on an HTTP request body (64 KiB: admin API requests are small JSON).
    public var maxBodyBytes = 64 * 1024
    /// The most connections open at once (10,000). Past it, `capacityReserve` more are accepted
    /// for plain HTTP only: `/healthz` and `/metrics` are answered (then closed), anything else
    /// gets 503; beyond the reserve, connections are closed at accept.
    public var maxConnections = 10_000
    /// Connections accepted past `maxConnections` to answer health checks and scrapes, and to
    /// refuse the rest with 503 instead of a reset (16). Each gets at most 1 s for its request.
    public var capacityReserve = 16
    /// The most bytes all outbound queues together may hold, or `nil` for no process-wide limit
    /// (the library default; `lockstep serve` derives one from the memory it may use). Past
    /// it, the connections holding the most are closed first (`OutboundBudget`).
    public var outboundBudgetBytes: Int?
    /// The most connections one IP address may hold open, or `nil` for no limit (the default:
    /// benchmarks and tests open thousands from 127.0.0.1; a public deployment should set one).
    public var maxConnectionsPerAddress: Int?
    /// Buffers, watermarks and the slow-reader cap of each connection, for plain HTTP and for
    /// WebSocket endpoints that set no limits of their own. Backpressure is on (a connection over
    /// its high watermark is not read until it drains) and the watermarks are 256 KiB and 64 KiB,
    /// so a peer that sends without reading makes the server hold at most about 256 KiB for it.
    public var connection = ServerConfiguration.defaultConnection

    /// The connection settings above: `TCPConnectionConfiguration`'s, with backpressure and
    /// watermarks of 256 KiB (high) and 64 KiB (low); the cap stays 8 MiB.
    public static var defaultConnection: TCPConnectionConfiguration {
        var connection = TCPConnectionConfiguration()
        connection.pausesReadingWhenUnwritable = true
        connection.outboundHighWatermark = 256 * 1024
        connection.outboundLowWatermark = 64 * 1024
        return connection
    }
    /// The `Origin` values accepted on WebSocket upgrades, or `nil` for any.
    public var allowedOrigins: [String]?
    /// How long a graceful shutdown waits for connections to finish their close handshake (5 s).
    public var shutdownGracePeriod: Duration = .seconds(5)

    /// The defaults above.
    public init() {}

    /// Checks that the settings can work together.
    ///
    /// - Throws: `ConfigurationError` naming the first problem.
    public func validate() throws(ConfigurationError) {
        guard (0...65535).contains(port) else { throw ConfigurationError("port must be 0 to 65535") }
        if let loopCount, !(1...256).contains(loopCount) { throw ConfigurationError("loops must be 1 to 256") }
        guard handshakeTimeout > .zero, idleTimeout > .zero, pingInterval > .zero else {
            throw ConfigurationError("timeouts must be positive")
        }
        guard pingInterval < idleTimeout else { throw ConfigurationError("the ping interval must be shorter than the idle timeout") }
        guard maxFrameSize > 0, maxMessageSize >= maxFrameSize || maxMessageSize > 0 else {
            throw ConfigurationError("frame and message limits must be positive")
        }
        guard connection.maxReadBufferSize >= maxFrameSize + 14 else {
            throw ConfigurationError("the read buffer limit must hold the largest frame plus its 14-byte header")
        }
        guard connection.maxReadBufferSize >= maxHeadBytes + maxBodyBytes else {
            throw ConfigurationError("the read buffer limit must hold the largest HTTP request")
        }
        guard maxConnections > 0 else { throw ConfigurationError("max connections must be positive") }
        guard capacityReserve >= 0 else { throw ConfigurationError("the capacity reserve must not be negative") }
        if let outboundBudgetBytes, outboundBudgetBytes <= 0 {
            throw ConfigurationError("the outbound budget must be positive")
        }
        if let maxConnectionsPerAddress, maxConnectionsPerAddress <= 0 {
            throw ConfigurationError("max connections per address must be positive")
        }
        try connection.validate()
    }
}
