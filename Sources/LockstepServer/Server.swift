import LockstepEventLoop
import LockstepHTTP
import LockstepWebSocket
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The HTTP and WebSocket server over the event loops.
///
/// Add routes and WebSocket endpoints, then `start()`; `GET /healthz` and `GET /metrics` are
/// built in. Connections are spread round-robin over the loops; each connection's callbacks run
/// on its loop. `shutdown()` stops accepting, closes WebSockets with 1001, waits for them up to
/// the grace period, and joins the loop threads.
///
/// Thread-safe: its mutable state is behind a mutex, taken by set-up, start, shutdown and room
/// creation (never per message); the listener in it is only touched on the accepting loop.
public final class Server: Sendable {
    /// What the server holds: routes and endpoints added before `start()`, then the running parts.
    private struct State {
        var router = HTTPRouter<HTTPRouteHandler>()
        var endpoints: [String: ServerContext.Endpoint] = [:]
        var metricsProviders: [@Sendable () -> String] = []
        var group: EventLoopGroup?
        var context: ServerContext?
        /// Confined to the accepting loop (loops[0]): set and closed there.
        var listener: TCPListener?
        var port = 0
    }

    /// The configuration the server was created with.
    public let configuration: ServerConfiguration
    /// The logger every connection writes to.
    public let logger: Logger
    private let state = Mutex(State())
    /// The port bound by `start()` (useful with port 0).
    public var port: Int { state.withLock { $0.port } }

    /// Creates a server; nothing is bound until `start()`.
    ///
    /// - Throws: `ConfigurationError` when the configuration is inconsistent.
    public init(configuration: ServerConfiguration, logger: Logger = Logger()) throws(ConfigurationError) {
        try configuration.validate()
        self.configuration = configuration
        self.logger = logger
    }

    /// Adds an HTTP route (before `start()`); `path` may hold `:name` segments.
    public func addRoute(_ method: String, _ path: String, _ handler: @escaping HTTPRouteHandler) {
        state.withLock { $0.router.add(method, path, handler) }
    }

    /// Answers every request whose path no route or endpoint has (before `start()`): the static
    /// web pages. Without one such requests get 404.
    public func setFallbackRoute(_ handler: @escaping HTTPRouteHandler) {
        state.withLock { $0.router.fallback = handler }
    }

    /// Adds a WebSocket endpoint at `path` (before `start()`).
    ///
    /// - Parameters:
    ///   - subprotocols: the subprotocols spoken, in order of preference.
    ///   - upgrade: decides on each valid upgrade request, on the connection's loop thread.
    public func addWebSocketEndpoint(
        _ path: String, subprotocols: [String] = [], _ upgrade: @escaping WebSocketUpgradeHandler
    ) {
        let endpoint = ServerContext.Endpoint(
            handshake: WebSocketServerHandshake(subprotocols: subprotocols), upgrade: upgrade)
        state.withLock { $0.endpoints[path] = endpoint }
    }

    /// Sizes the outbound queue of the connections upgraded on endpoint `path` (added before,
    /// and before `start()`): the watermarks (backpressure) and the slow-reader cap, for what
    /// that endpoint sends. Other connections keep `configuration.connection`'s.
    ///
    /// - Throws: `ConfigurationError` when the limits are inconsistent or there is no such endpoint.
    public func setOutboundLimits(_ limits: OutboundLimits, forEndpoint path: String) throws(ConfigurationError) {
        try limits.validate()
        let found = state.withLock { state -> Bool in
            guard state.endpoints[path] != nil else { return false }
            state.endpoints[path]?.outboundLimits = limits
            return true
        }
        guard found else { throw ConfigurationError("no WebSocket endpoint at \(path)") }
    }

    /// Adds text to `GET /metrics` (before `start()`): `provider` returns complete Prometheus
    /// families (`# HELP`, `# TYPE` and samples) and is called on a loop thread per scrape, so it
    /// must read only thread-safe state (atomics).
    public func addMetricsProvider(_ provider: @escaping @Sendable () -> String) {
        state.withLock { $0.metricsProviders.append(provider) }
    }

    /// The event loops (after `start()`): rooms schedule their tick timers on these.
    public var eventLoops: [EventLoop] { state.withLock { $0.group?.loops ?? [] } }

    /// The metrics (after `start()`).
    public var metrics: ServerMetrics? { state.withLock { $0.context?.metrics } }

    /// Starts the loops and binds the listening socket. Also fixes the C allocator's mmap
    /// threshold (`HeapMemory`), so the large buffers of a burst are returned when freed.
    ///
    /// - Throws: `SystemError` when the loops cannot start or the address cannot be bound.
    public func start() throws(SystemError) {
        HeapMemory.returnLargeBlocksToSystem()
        let group = try EventLoopGroup(count: configuration.loopCount, wakeups: configuration.wakeups)
        let metrics = ServerMetrics(loopCount: group.loops.count)
        let loopCount = group.loops.count
        let budget = configuration.outboundBudgetBytes.map { OutboundBudget(limitBytes: $0, loopCount: loopCount) }
        budget?.start(on: group.loops)
        let (router, endpoints) = state.withLock { state in
            Self.addBuiltInRoutes(to: &state.router, metrics: metrics, loops: group.loops, budget: budget, providers: state.metricsProviders)
            return (state.router, state.endpoints)
        }
        let context = ServerContext(
            configuration: configuration, logger: logger, metrics: metrics, router: router, endpoints: endpoints,
            loops: group.loops, outboundBudget: budget)
        state.withLock {
            $0.group = group
            $0.context = context
        }
        let acceptLoop = group.loops[0]
        let bound = Bound()
        acceptLoop.execute { [self] in
            do throws(SystemError) {
                let listener = try TCPListener(
                    host: configuration.host, port: configuration.port, eventLoop: acceptLoop,
                    onAccept: { [self] fd, address in accept(fd: fd, address: address, group: group, context: context) },
                    onError: { [logger] error in logger.warning("accept_failed", ["error": error]) })
                state.withLock { $0.listener = listener }
                bound.finish(.success(listener.port))
            } catch {
                bound.finish(.failure(error))
            }
        }
        switch bound.wait() {
        case .success(let port):
            state.withLock { $0.port = port }
            logger.info("server_started", ["host": configuration.host, "port": port, "loops": group.loops.count])
        case .failure(let error):
            group.shutdown()
            state.withLock { $0.group = nil }
            throw error
        }
    }

    private func accept(fd: Int32, address: String, group: EventLoopGroup, context: ServerContext) {
        let open = context.metrics.connectionsOpen
        if open >= UInt64(configuration.maxConnections + configuration.capacityReserve) {
            context.metrics.connectionsRefused.add()
            context.metrics.recordHandshakeFailure("over_capacity")
            logger.warning("connection_refused", ["addr": address, "reason": "max_connections"])
            _ = Glibc.close(fd)
            return
        }
        if let limiter = context.addressLimiter, !limiter.admit(address) {
            context.metrics.connectionsRefused.add()
            context.metrics.recordHandshakeFailure("address_limit")
            logger.warning("connection_refused", ["addr": address, "reason": "max_connections_per_address"])
            _ = Glibc.close(fd)
            return
        }
        // Past the limit, within the reserve: plain HTTP only (health, metrics; 503 for the rest).
        let overCapacity = open >= UInt64(configuration.maxConnections)
        let loop = group.next()
        context.shard(loop).connectionsTotal.add()
        let setUp: @Sendable () -> Void = { [configuration] in
            let tcp = TCPConnection(fd: fd, eventLoop: loop, remoteAddress: address, configuration: configuration.connection)
            tcp.bytesReadCounter = context.shard(loop).bytesIn
            tcp.bytesWrittenCounter = context.shard(loop).bytesOut
            let registry = context.registry(loop)
            let handler = HTTPConnectionHandler(
                tcp: tcp, context: context, id: registry.nextID(loopIndex: loop.index), overCapacity: overCapacity)
            tcp.delegate = handler
            do {
                try tcp.start()
            } catch {
                tcp.close()
                return
            }
            registry.add(handler)
            handler.start()
        }
        if loop.inEventLoop { setUp() } else { loop.execute(setUp) }
    }

    private static func addBuiltInRoutes(
        to router: inout HTTPRouter<HTTPRouteHandler>, metrics: ServerMetrics, loops: [EventLoop], budget: OutboundBudget?,
        providers: [@Sendable () -> String]
    ) {
        router.add("GET", "/healthz") { _, _, responder in responder.respond(.text(.ok, "ok\n")) }
        router.add("GET", "/metrics") { _, _, responder in
            let text = providers.reduce(metrics.prometheusText(loops: loops, budget: budget)) { $0 + $1() }
            var response = HTTPResponse.text(.ok, text)
            response.headers.replaceOrAdd(name: "Content-Type", value: "text/plain; version=0.0.4; charset=utf-8")
            responder.respond(response)
        }
    }

    /// Closes the listening socket and waits until it is closed; open connections are untouched.
    ///
    /// The first step of a graceful shutdown, for an application that must end its sessions (send
    /// a last message, finalise a replay) before `shutdown()` closes the connections. Call it from
    /// a thread that is not one of the server's loops; calling it again does nothing.
    public func stopAccepting() {
        guard let group = state.withLock({ $0.group }) else { return }
        let stopped = Bound()
        group.loops[0].execute { [self] in
            let listener = state.withLock { state in
                defer { state.listener = nil }
                return state.listener
            }
            listener?.close()
            stopped.finish(.success(0))
        }
        _ = stopped.wait()
    }

    /// Stops gracefully: stops accepting, closes every connection (WebSockets with 1001), waits up
    /// to the grace period for close handshakes, then stops and joins the loops. Call it from a
    /// thread that is not one of the server's loops.
    public func shutdown() {
        guard let (group, context) = state.withLock({ state in state.group.flatMap { group in state.context.map { (group, $0) } } })
        else { return }
        logger.info("server_stopping", ["open": context.metrics.connectionsOpen])
        stopAccepting()
        for loop in group.loops {
            loop.execute { context.registry(loop).shutDownAll() }
        }
        // Each closed connection signals; wake at each and stop waiting when none is open.
        context.connectionClosedSignal.wait(until: MonotonicInstant.now() + configuration.shutdownGracePeriod) {
            context.metrics.connectionsOpen == 0
        }
        group.shutdown()
        state.withLock { $0.group = nil }
        logger.info("server_stopped", ["open_at_stop": context.metrics.connectionsOpen])
    }
}
