import LockstepEventLoop
import LockstepHTTP
import LockstepWebSocket

/// The HTTP phase of a connection: parses requests under the handshake deadline, answers routes
/// and errors, and hands the socket to a `WebSocketConnection` on a valid upgrade.
/// A connection accepted past the connection limit (in the capacity reserve) is answered only
/// for `GET /healthz` and `GET /metrics`, and gets 503 for anything else, upgrades included.
/// Confined to the connection's loop thread (hence `@unchecked Sendable`, and its responder
/// closure holds it): `start`, `shutDown` and a response's delivery check it in debug builds, as
/// do the `TCPConnection` calls below them.
final class HTTPConnectionHandler: TCPConnectionDelegate, ManagedConnection, @unchecked Sendable {
    private let context: ServerContext
    private let tcp: TCPConnection
    let id: UInt64
    private var parser: HTTPRequestParser
    private var deadline: TimerHandle?
    private var awaitingResponse = false
    /// Numbers requests, so a responder can only answer the request it was made for.
    private var requestSerial: UInt64 = 0
    private var reading = false
    /// Accepted past `maxConnections`, in the capacity reserve.
    private let overCapacity: Bool

    /// The paths a connection in the capacity reserve may ask for.
    static let pathsAnsweredOverCapacity: Set<String> = ["/healthz", "/metrics"]
    /// The longest a connection in the capacity reserve may take to send its request.
    static let overCapacityRequestTimeout: Duration = .seconds(1)

    init(tcp: TCPConnection, context: ServerContext, id: UInt64, overCapacity: Bool = false) {
        self.tcp = tcp
        self.context = context
        self.id = id
        self.overCapacity = overCapacity
        parser = HTTPRequestParser(
            maxHeadBytes: context.configuration.maxHeadBytes, maxBodyBytes: context.configuration.maxBodyBytes)
    }

    /// Arms the handshake deadline.
    func start() {
        tcp.eventLoop.assertInEventLoop()
        armDeadline()
    }

    private func armDeadline() {
        let loop = tcp.eventLoop
        if let deadline { loop.cancelTimer(deadline) }
        let timeout = context.configuration.handshakeTimeout
        let allowed = overCapacity ? min(timeout, Self.overCapacityRequestTimeout) : timeout
        deadline = loop.scheduleTimer(at: loop.now + allowed) { [weak self] _ in
            self?.deadlinePassed()
        }
    }

    private func deadlinePassed() {
        deadline = nil
        context.metrics.recordHandshakeFailure("timeout")
        context.logger.info("handshake_timeout", ["conn": id, "addr": tcp.remoteAddress])
        // No complete request within the deadline: answer 408 if we can, and close.
        tcp.write(HTTPResponse.error(.requestTimeout).serialized().withUnsafeBytes { SharedBuffer(copying: $0) })
        tcp.closeAfterFlush()
    }

    func connection(_ connection: TCPConnection, didRead bytes: UnsafeMutableRawBufferPointer) -> Int {
        var offset = 0
        reading = true
        defer { reading = false }
        while offset < bytes.count, !awaitingResponse, tcp.isOpen, tcp.delegate === self {
            let result: HTTPRequestParser.Result
            do {
                result = try parser.parse(UnsafeRawBufferPointer(rebasing: bytes[offset...]))
            } catch {
                refuse(error.status, reason: error.reason, response: .error(error.status))
                return bytes.count
            }
            guard case .request(let request, let consumed) = result else { return offset }
            offset += consumed
            handle(request)
        }
        return offset
    }

    private func handle(_ request: HTTPRequest) {
        let path = String(request.path)
        if overCapacity, request.method != "GET" || !Self.pathsAnsweredOverCapacity.contains(path) {
            context.metrics.connectionsRefused.add()
            refuse(.serviceUnavailable, reason: "over_capacity", response: Self.atCapacityResponse)
            return
        }
        if let endpoint = context.endpoints[path] {
            upgrade(request, endpoint: endpoint)
            return
        }
        switch context.router.match(method: request.method, path: request.path) {
        case .notFound:
            refuse(.notFound, reason: "not_found", response: .error(.notFound))
        case .methodNotAllowed(let allowed):
            let headers = HTTPHeaders([("Allow", allowed.joined(separator: ", "))])
            refuse(.methodNotAllowed, reason: "method", response: .error(.methodNotAllowed, headers: headers))
        case .found(let handler, let parameters):
            awaitingResponse = true
            requestSerial += 1
            let serial = requestSerial
            let keepAlive = request.keepAlive && !overCapacity
            let isHead = request.method == "HEAD"
            let responder = HTTPResponder(eventLoop: tcp.eventLoop, remoteAddress: tcp.remoteAddress) { [weak self] response in
                guard let self, self.requestSerial == serial else { return }
                self.deliver(response, keepAlive: keepAlive, isHead: isHead)
            }
            handler(request, parameters, responder)
        }
    }

    private func deliver(_ response: HTTPResponse, keepAlive: Bool, isHead: Bool) {
        tcp.eventLoop.assertInEventLoop()
        guard awaitingResponse, tcp.isOpen else { return }
        awaitingResponse = false
        context.shard(tcp.eventLoop).httpRequests.add()
        var response = response
        if !keepAlive { response.headers.replaceOrAdd(name: "Connection", value: "close") }
        response.serialized(includingBody: !isHead).withUnsafeBytes { tcp.write($0) }
        if !keepAlive || response.headers.first("Connection")?.lowercased() == "close" {
            finishHTTP()
            tcp.closeAfterFlush()
            return
        }
        armDeadline()
        // An answer given later: carry on with requests that arrived meanwhile.
        if !reading { tcp.processBufferedInput() }
    }

    /// The answer to a request the server has no room for: 503, `Retry-After: 1`, a short body.
    static let atCapacityResponse: HTTPResponse = {
        var response = HTTPResponse.text(.serviceUnavailable, "server at connection capacity, retry later\n")
        response.headers.replaceOrAdd(name: "Retry-After", value: "1")
        response.headers.replaceOrAdd(name: "Connection", value: "close")
        return response
    }()

    private func refuse(_ status: HTTPStatus, reason: String, response: HTTPResponse) {
        context.metrics.recordHandshakeFailure(reason)
        context.logger.info("http_refused", ["conn": id, "addr": tcp.remoteAddress, "status": status.code, "reason": reason])
        response.serialized().withUnsafeBytes { tcp.write($0) }
        finishHTTP()
        tcp.closeAfterFlush()
    }

    private func upgrade(_ request: HTTPRequest, endpoint: ServerContext.Endpoint) {
        let accepted: WebSocketServerHandshake.Accepted
        do {
            var handshake = endpoint.handshake
            handshake.allowedOrigins = context.configuration.allowedOrigins
            accepted = try handshake.accept(request)
        } catch {
            refuse(error.response.status, reason: error.reason, response: error.response)
            return
        }
        let upgradeContext = UpgradeContext(
            eventLoop: tcp.eventLoop, remoteAddress: tcp.remoteAddress, subprotocol: accepted.subprotocol)
        switch endpoint.upgrade(request, upgradeContext) {
        case .reject(let response):
            refuse(response.status, reason: "rejected", response: response)
        case .accept(let handler):
            finishHTTP()
            if let limits = endpoint.outboundLimits {
                do {
                    try tcp.setOutboundLimits(limits)
                } catch {
                    context.logger.error("outbound_limits_invalid", ["path": request.path, "error": error])
                }
            }
            accepted.response.serialized().withUnsafeBytes { tcp.write($0) }
            let webSocket = WebSocketConnection(
                tcp: tcp, context: context, id: id, request: request, subprotocol: accepted.subprotocol, handler: handler)
            context.registry(tcp.eventLoop).add(webSocket)
            tcp.delegate = webSocket
            webSocket.open()
        }
    }

    /// Leaves the HTTP phase: no more deadline, no longer in the registry under this handler.
    private func finishHTTP() {
        if let deadline { tcp.eventLoop.cancelTimer(deadline) }
        deadline = nil
        context.registry(tcp.eventLoop).remove(self)
    }

    func connection(_ connection: TCPConnection, writabilityChanged isWritable: Bool) {}

    func connectionOutboundOverflow(_ connection: TCPConnection) {
        context.logger.warning("slow_reader", ["conn": id, "addr": tcp.remoteAddress, "queued": tcp.queuedBytes])
        tcp.close()
    }

    func connectionOutboundBudgetExceeded(_ connection: TCPConnection) {
        context.logger.warning("outbound_budget_exceeded", [
            "conn": id, "addr": tcp.remoteAddress, "queued": tcp.queuedBytes,
            "budget": context.configuration.outboundBudgetBytes ?? 0,
        ])
    }

    func connectionDidClose(_ connection: TCPConnection, error: SystemError?) {
        finishHTTP()
        context.connectionClosed(connection)
        context.logger.debug("connection_closed", ["conn": id, "phase": "http", "error": error.map(String.init(describing:)) ?? "none"])
    }

    func shutDown() {
        tcp.eventLoop.assertInEventLoop()
        finishHTTP()
        tcp.close()
    }
}
