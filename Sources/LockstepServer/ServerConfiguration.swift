import LockstepEventLoop

/// Everything the server is configured with, with safe defaults; `validate()` rejects impossible combinations.
public struct ServerConfiguration: Sendable {
    /// The address to listen on (loopback by default: exposing the server is a deliberate choice).
    public var host = "127.0.0.1"
    /// The port; 0 picks a free one (tests).
    public var port = 8080
    /// The number of event loops; `nil` means one per core.
    public var loopCount: Int?
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
    /// The most connections open at once; more are refused at accept (10,000).
    public var maxConnections = 10_000
    /// The most connections one IP address may hold open, or `nil` for no limit (the default:
    /// benchmarks and tests open thousands from 127.0.0.1; a public deployment should set one).
    public var maxConnectionsPerAddress: Int?
    /// Buffers, watermarks and the slow-reader cap of each connection.
    public var connection = TCPConnectionConfiguration()
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
        if let maxConnectionsPerAddress, maxConnectionsPerAddress <= 0 {
            throw ConfigurationError("max connections per address must be positive")
        }
        try connection.validate()
    }
}
