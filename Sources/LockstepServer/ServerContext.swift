import LockstepEventLoop
import LockstepHTTP
import LockstepWebSocket

/// What every connection of a running server shares: settings, routes, metrics and the per-loop
/// registries. Immutable after `Server.start()` except the registries, each of which is
/// confined to its loop's thread.
final class ServerContext: @unchecked Sendable {
    struct Endpoint {
        var handshake: WebSocketServerHandshake
        var upgrade: WebSocketUpgradeHandler
        /// The outbound limits of the endpoint's connections (`nil`: the server's).
        var outboundLimits: OutboundLimits?
    }

    let configuration: ServerConfiguration
    let logger: Logger
    let metrics: ServerMetrics
    let router: HTTPRouter<HTTPRouteHandler>
    let endpoints: [String: Endpoint]
    let registries: [LoopRegistry]
    let addressLimiter: AddressLimiter?
    /// The process-wide outbound budget, if one is configured.
    let outboundBudget: OutboundBudget?

    init(
        configuration: ServerConfiguration, logger: Logger, metrics: ServerMetrics,
        router: HTTPRouter<HTTPRouteHandler>, endpoints: [String: Endpoint], loopCount: Int,
        outboundBudget: OutboundBudget?
    ) {
        self.outboundBudget = outboundBudget
        self.configuration = configuration
        self.logger = logger
        self.metrics = metrics
        self.router = router
        self.endpoints = endpoints
        registries = (0..<loopCount).map { _ in LoopRegistry() }
        addressLimiter = configuration.maxConnectionsPerAddress.map { AddressLimiter(limit: $0) }
    }

    /// Accounts for a closed TCP connection (metrics and the per-address count), once per connection.
    func connectionClosed(_ connection: TCPConnection) {
        shard(connection.eventLoop).connectionsClosed.add()
        addressLimiter?.release(connection.remoteAddress)
    }

    func registry(_ loop: EventLoop) -> LoopRegistry { registries[loop.index] }

    func shard(_ loop: EventLoop) -> ServerMetrics.Shard { metrics.shards[loop.index] }
}

/// A connection the server can end during shutdown.
protocol ManagedConnection: AnyObject {
    /// Ends the connection for a server shutdown (WebSockets close with 1001).
    func shutDown()
}

/// The open connections of one loop, for graceful shutdown. Confined to that loop's thread.
final class LoopRegistry: @unchecked Sendable {
    private var connections: [ObjectIdentifier: ManagedConnection] = [:]
    private var nextSerial: UInt64 = 0

    var count: Int { connections.count }

    func add(_ connection: ManagedConnection) {
        connections[ObjectIdentifier(connection)] = connection
    }

    func remove(_ connection: ManagedConnection) {
        connections[ObjectIdentifier(connection)] = nil
    }

    /// A connection id unique in the process: the loop index in the top bits, a serial below.
    func nextID(loopIndex: Int) -> UInt64 {
        nextSerial += 1
        return UInt64(loopIndex) << 48 | nextSerial
    }

    func shutDownAll() {
        for connection in Array(connections.values) { connection.shutDown() }
    }
}
