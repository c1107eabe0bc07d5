import LockstepEventLoop
import LockstepHTTP
import LockstepWebSocket

/// One server-side WebSocket after the handshake: the handle a `WebSocketHandler` sends and
/// closes with, and the driver that runs the codec over the socket.
///
/// Confined to `eventLoop`'s thread (hence `@unchecked Sendable`): call its methods only from
/// that loop's callbacks, or hop there with `eventLoop.execute`. `move(to:then:)` changes the loop.
/// Checked in debug builds (`EventLoop.assertInEventLoop()`): the `send`s, `sendPing`, `flush`,
/// `close`, `move`, setting `incomingMessageLimit`, and (below them) every `TCPConnection` call.
public final class WebSocketConnection: TCPConnectionDelegate, ManagedConnection, @unchecked Sendable {
    // Declared in the order the per-message paths touch them (a class is laid out in
    // declaration order; a tick's frame visits every connection of the room): the send path's
    // and the read path's fields first, the upgrade request and the timers after.
    @usableFromInline let tcp: TCPConnection
    let context: ServerContext
    @exclusivity(unchecked) var finished = false
    @exclusivity(unchecked) var closeFrameSent = false
    @exclusivity(unchecked) var reader: WebSocketFrameReader
    @exclusivity(unchecked) var handler: WebSocketHandler?
    /// Free for the handler's own per-connection state (a player, a room slot).
    @inlinable public var userData: AnyObject? {
        get { _userData }
        set { _userData = newValue }
    }
    // Behind inlinable accessors: `@exclusivity(unchecked)` holds only for accesses compiled in
    // this module, and a handler in another module reads it on every message.
    @usableFromInline @exclusivity(unchecked) var _userData: AnyObject?
    @exclusivity(unchecked) var lastHeard: MonotonicInstant
    /// A process-unique id, for logs and maps.
    public let id: UInt64
    /// The upgrade request (path, query, headers such as a token).
    public let request: HTTPRequest
    /// The negotiated subprotocol, if any.
    public let subprotocol: String?
    @exclusivity(unchecked) var heartbeat: TimerHandle?
    @exclusivity(unchecked) var closeTimer: TimerHandle?

    init(
        tcp: TCPConnection, context: ServerContext, id: UInt64, request: HTTPRequest, subprotocol: String?,
        handler: WebSocketHandler
    ) {
        self.tcp = tcp
        self.context = context
        self.id = id
        self.request = request
        self.subprotocol = subprotocol
        self.handler = handler
        reader = WebSocketFrameReader(
            role: .server, maxFrameSize: context.configuration.maxFrameSize,
            maxMessageSize: context.configuration.maxMessageSize)
        lastHeard = tcp.eventLoop.now
    }

    /// The loop the connection lives on now.
    @inlinable public var eventLoop: EventLoop { tcp.eventLoop }
    /// The peer's `host:port`.
    public var remoteAddress: String { tcp.remoteAddress }
    /// Whether messages can still be sent (open, and no close frame sent yet).
    public var isOpen: Bool { reader.session.state == .open && tcp.isOpen }
    /// Whether the outbound queue is under its high watermark.
    @inlinable public var isWritable: Bool { tcp.isWritable }
    /// Bytes queued and not yet written.
    public var queuedBytes: Int { tcp.queuedBytes }

    /// The largest frame and message accepted from the peer from now on: a handler lowers it
    /// for a peer that has not authenticated yet (a larger frame is refused with 1009 from its
    /// header, before its payload is buffered) and raises it back later. At most, and by
    /// default, the server's `maxFrameSize` and `maxMessageSize`.
    public var incomingMessageLimit: Int {
        get { min(reader.decoder.maxFrameSize, reader.session.maxMessageSize) }
        set {
            eventLoop.assertInEventLoop()
            let limit = max(0, newValue)
            reader.decoder.maxFrameSize = min(limit, context.configuration.maxFrameSize)
            reader.session.maxMessageSize = min(limit, context.configuration.maxMessageSize)
        }
    }

    func open() {
        eventLoop.assertInEventLoop()
        context.shard(eventLoop).webSocketsOpened.add()
        context.logger.debug("websocket_open", ["conn": id, "addr": remoteAddress, "path": request.path])
        startHeartbeat()
        handler?.webSocketDidOpen(self)
    }

    // MARK: Sending

    /// Sends one message, copying `payload` into the connection's outbound queue.
    public func send(_ kind: WebSocketMessageKind, payload: UnsafeRawBufferPointer) {
        eventLoop.assertInEventLoop()
        guard isOpen else { return }
        sendFrame(opcode: kind.opcode, payload: payload)
    }

    /// Sends a text message.
    public func send(text: String) {
        var text = text
        text.withUTF8 { send(.text, payload: UnsafeRawBufferPointer($0)) }
    }

    /// Sends a frame encoded once with `SharedBuffer.webSocketFrame(_:payload:)`, without copying:
    /// the way to send the same message to many connections. It goes out at once when nothing is
    /// queued ahead of it (`TCPConnection.writeImmediately(_:range:)`), else after what is.
    public func send(encodedFrame: SharedBuffer) {
        eventLoop.assertInEventLoop()
        guard isOpen else { return }
        context.shard(eventLoop).framesOut.addAsSoleWriter()
        tcp.writeImmediately(encodedFrame)
    }

    /// Writes what is queued now instead of at the end of the loop turn (see `TCPConnection.flush()`).
    public func flush() {
        eventLoop.assertInEventLoop()
        tcp.flush()
    }

    /// Starts loading this connection and its socket's state into the cache (see
    /// `TCPConnection.prefetch()`); `prefetchReadBuffer()` is the second step.
    public func prefetch() {
        Prefetch.object(self)
        tcp.prefetch()
    }

    /// Starts loading the start of the socket's read buffer (after `prefetch()` on every connection).
    public func prefetchReadBuffer() {
        tcp.prefetchReadBuffer()
    }

    /// Reads now the input a batched wake-up deferred until its timers ran (see
    /// `TCPConnection.handleDeferredEvents()`); its messages reach the handler before this returns.
    public func handleDeferredInput() {
        eventLoop.assertInEventLoop()
        tcp.handleDeferredEvents()
    }

    /// Sends a ping (at most 125 bytes of payload are sent).
    public func sendPing(payload: UnsafeRawBufferPointer = UnsafeRawBufferPointer(start: nil, count: 0)) {
        eventLoop.assertInEventLoop()
        guard isOpen else { return }
        sendFrame(opcode: .ping, payload: UnsafeRawBufferPointer(rebasing: payload.prefix(125)))
    }

    func sendFrame(opcode: WebSocketOpcode, payload: UnsafeRawBufferPointer) {
        WebSocketFrameEncoder.header(opcode: opcode, payloadLength: payload.count).withUnsafeBytes { tcp.write($0) }
        tcp.write(payload)
        context.shard(eventLoop).framesOut.addAsSoleWriter()
    }

    // MARK: Closing

    /// Starts the close handshake with `code` and `reason`; the peer's reply (or a 5 s timeout) ends it.
    ///
    /// For the handler the connection is gone at once: `webSocketDidClose` is called before this
    /// returns (with `code`), and no message reaches it afterwards.
    public func close(code: WebSocketCloseCode = .normalClosure, reason: String = "") {
        eventLoop.assertInEventLoop()
        guard tcp.isOpen, reader.session.startClosing() else { return }
        sendClose(WebSocketFrameEncoder.closePayload(code: code, reason: reason))
        context.logger.debug("websocket_closing", ["conn": id, "code": code, "reason": reason])
        // Timers capture the connection strongly (a weak reference would move its reference count
        // to a side table, slowing every retain on the send path); `finish` cancels them.
        closeTimer = eventLoop.scheduleTimer(at: eventLoop.now + .seconds(5)) { [self] _ in
            finish(code: code, reason: "close handshake timed out")
            tcp.close()
        }
        reportGone(code: code, reason: reason)
    }

    /// Sends a close frame with `code` and `reason`, then ends the connection without waiting for
    /// the peer's reply (RFC 6455 §7.1.7, *Fail the WebSocket Connection*): what is queued is
    /// flushed and the TCP connection closes gracefully (`closeAfterFlush`: at most 256 KiB of
    /// input discarded, at most 2 s). For a peer that has shown it will not behave, such as a
    /// flood before its HELLO: `close` would read and parse its data for the whole close timeout.
    ///
    /// As with `close`, `webSocketDidClose` is called before this returns.
    public func abort(code: WebSocketCloseCode, reason: String = "") {
        eventLoop.assertInEventLoop()
        guard tcp.isOpen, !finished else { return }
        _ = reader.session.startClosing()
        sendClose(WebSocketFrameEncoder.closePayload(code: code, reason: reason))
        context.logger.debug("websocket_aborted", ["conn": id, "code": code, "reason": reason])
        finish(code: code, reason: reason)
        tcp.closeAfterFlush()
    }

    func sendClose(_ payload: [UInt8]) {
        guard !closeFrameSent else { return }
        closeFrameSent = true
        payload.withUnsafeBytes { sendFrame(opcode: .connectionClose, payload: $0) }
    }

    func shutDown() {
        eventLoop.assertInEventLoop()
        close(code: .goingAway, reason: "server shutting down")
    }

    /// Reports the end to the handler and metrics, once.
    func finish(code: WebSocketCloseCode, reason: String) {
        guard !finished else { return }
        finished = true
        reader.session.markClosed()
        stopTimers()
        context.registry(eventLoop).remove(self)
        context.metrics.recordClose(code: code.rawValue)
        reportGone(code: code, reason: reason)
    }

    /// The one path by which a handler learns that its connection is gone, whoever ended it (the
    /// server closing it, the peer, a protocol failure, a slow reader, a dropped TCP connection):
    /// called once, at the first of them; the handler is released, so nothing reaches it afterwards.
    private func reportGone(code: WebSocketCloseCode, reason: String) {
        guard let handler else { return }
        self.handler = nil
        handler.webSocketDidClose(self, code: code, reason: reason)
    }

    // MARK: Moving

    /// Moves the connection (and its socket) to `target`; `then` runs on `target`'s thread once it is there.
    ///
    /// Used to gather a room's players on the room's loop. Call it from the current loop; after it
    /// returns, do not touch the connection until `then` runs.
    public func move(to target: EventLoop, then: @escaping @Sendable (WebSocketConnection) -> Void) {
        eventLoop.assertInEventLoop()
        let source = eventLoop
        guard target !== source else {
            then(self)
            return
        }
        stopTimers()
        context.registry(source).remove(self)
        tcp.bytesReadCounter = context.shard(target).bytesIn
        tcp.bytesWrittenCounter = context.shard(target).bytesOut
        tcp.move(to: target) { [self] _ in
            target.assertInEventLoop()
            context.registry(target).add(self)
            lastHeard = target.now
            startHeartbeat()
            then(self)
        }
    }

    // MARK: Heartbeat

    private func startHeartbeat() {
        let interval = context.configuration.pingInterval
        // Strong capture, as for `closeTimer`: `finish` and `move` cancel it.
        heartbeat = eventLoop.scheduleRepeatingTimer(first: eventLoop.now + interval, interval: interval) { [self] firing in
            checkIdle(now: firing.firedAt)
        }
    }

    private func checkIdle(now: MonotonicInstant) {
        let quiet = now.nanoseconds(since: lastHeard)
        if quiet >= context.configuration.idleTimeout.nanosecondsClamped {
            context.logger.info("websocket_idle", ["conn": id, "addr": remoteAddress])
            close(code: .goingAway, reason: "idle timeout")
        } else if quiet >= context.configuration.pingInterval.nanosecondsClamped {
            sendPing()
        }
    }

    func stopTimers() {
        if let heartbeat { eventLoop.cancelTimer(heartbeat) }
        if let closeTimer { eventLoop.cancelTimer(closeTimer) }
        heartbeat = nil
        closeTimer = nil
    }
}
