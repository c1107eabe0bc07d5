import LockstepEventLoop
import LockstepHTTP
import LockstepWebSocket

/// What every connection of a running server shares: settings, routes, metrics and the per-loop
/// registries. Immutable (every stored property a `let` of a `Sendable` type); each registry is
/// confined to its loop's thread, which checks it.
final class ServerContext: Sendable {
    struct Endpoint: Sendable {
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
    /// Signalled at every closed connection: what `Server.shutdown()` waits on.
    let connectionClosedSignal = ConditionSignal()

    init(
        configuration: ServerConfiguration, logger: Logger, metrics: ServerMetrics,
        router: HTTPRouter<HTTPRouteHandler>, endpoints: [String: Endpoint], loops: [EventLoop],
        outboundBudget: OutboundBudget?
    ) {
        self.outboundBudget = outboundBudget
        self.configuration = configuration
        self.logger = logger
        self.metrics = metrics
        self.router = router
        self.endpoints = endpoints
        registries = loops.map { LoopRegistry(loop: $0) }
        addressLimiter = configuration.maxConnectionsPerAddress.map { AddressLimiter(limit: $0) }
    }

    /// Accounts for a closed TCP connection (metrics and the per-address count), once per connection.
    func connectionClosed(_ connection: TCPConnection) {
        shard(connection.eventLoop).connectionsClosed.add()
        addressLimiter?.release(connection.remoteAddress)
        connectionClosedSignal.signal()
    }

    func registry(_ loop: EventLoop) -> LoopRegistry { registries[loop.index] }

    func shard(_ loop: EventLoop) -> ServerMetrics.Shard { metrics.shards[loop.index] }
}

/// A connection the server can end during shutdown.
protocol ManagedConnection: AnyObject {
    /// Ends the connection for a server shutdown (WebSockets close with 1001).
    func shutDown()
}

/// The open connections of one loop, for graceful shutdown. Confined to that loop's thread
/// (hence `@unchecked Sendable`); every method checks it in debug builds.
final class LoopRegistry: @unchecked Sendable {
    /// The loop whose connections these are.
    let loop: EventLoop
    private var connections: [ObjectIdentifier: ManagedConnection] = [:]
    private var nextSerial: UInt64 = 0

    init(loop: EventLoop) {
        self.loop = loop
    }

    var count: Int {
        loop.assertInEventLoop()
        return connections.count
    }

    func add(_ connection: ManagedConnection) {
        loop.assertInEventLoop()
        connections[ObjectIdentifier(connection)] = connection
    }

    func remove(_ connection: ManagedConnection) {
        loop.assertInEventLoop()
        connections[ObjectIdentifier(connection)] = nil
    }

    /// A connection id unique in the process: the loop index in the top bits, a serial below.
    func nextID(loopIndex: Int) -> UInt64 {
        loop.assertInEventLoop()
        nextSerial += 1
        return UInt64(loopIndex) << 48 | nextSerial
    }

    func shutDownAll() {
        loop.assertInEventLoop()
        for connection in Array(connections.values) { connection.shutDown() }
    }
}
