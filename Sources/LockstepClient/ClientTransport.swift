import LockstepCore
import LockstepEventLoop
import LockstepProtocol
import LockstepWebSocket
import Synchronization
import LockstepWebSocketClient

/// What the transport hands to the client, stamped with when it may be processed.
enum Inbound: Sendable {
    case message(ServerMessage)
    case connected
    case closed(code: UInt16, willReconnect: Bool)
    case reconnecting(attempt: Int, delayNanos: UInt64)
    /// Every reconnect attempt failed: the transport stopped.
    case gaveUp(attempts: Int, lastCloseCode: UInt16)
}

/// The client's socket side, confined to one event loop: connects, sends HELLO (with the last
/// confirmed tick on a reconnect), pings, reconnects with backoff, and can add latency, jitter and
/// connection loss. Everything it receives goes to a mutex-protected inbox for `poll()`.
final class ClientTransport: WebSocketClientDelegate, @unchecked Sendable {
    let loop: EventLoop
    let configuration: ClientConfiguration
    private var socket: WebSocketClient?
    private var writer = WireWriter()
    private var random: SeededRandom
    private var reconnectPolicy: ReconnectPolicy
    private var attempt = 0
    private var pingTimer: TimerHandle?
    private var lossTimer: TimerHandle?
    private var lastOutgoing: UInt64 = 0
    private var lastIncoming: UInt64 = 0
    private var closedByClient = false
    private var matchOver = false
    private var hasConnected = false
    /// Messages and events not yet taken by `poll()`, each with the time it may be processed.
    let inbox = Mutex<[(availableAt: UInt64, item: Inbound)]>([])
    /// The last confirmed tick the client holds (−1: none), read when reconnecting.
    let lastConfirmed = Atomic<Int64>(-1)
    /// PINGs in flight: client send time by the value sent.
    let pingsSent = Atomic<UInt64>(0)
    /// Reconnects that succeeded (a connection opened again after one was lost).
    let reconnects = Atomic<Int>(0)

    init(configuration: ClientConfiguration, loop: EventLoop) {
        self.configuration = configuration
        self.loop = loop
        random = SeededRandom(seed: configuration.seed ^ 0x7A11_5EED)
        reconnectPolicy = configuration.reconnectPolicy
    }

    // MARK: Loop thread

    func start() {
        loop.execute { [self] in connect() }
    }

    private func connect() {
        guard !closedByClient else { return }
        let path = ProtocolVersion.path + (configuration.room.map { "?room=\($0)" } ?? "")
        do {
            socket = try WebSocketClient(
                host: configuration.host, port: configuration.port, path: path, subprotocols: [ProtocolVersion.subprotocol],
                on: loop, delegate: self, maxMessageSize: 1 << 20)
        } catch {
            scheduleReconnect(code: 1006)
        }
    }

    func webSocketClientDidConnect(_ client: WebSocketClient) {
        attempt = 0
        if hasConnected { reconnects.add(1, ordering: .relaxed) }
        hasConnected = true
        let last = lastConfirmed.load(ordering: .relaxed)
        writer.clear()
        ClientMessageEncoder.hello(Hello(token: configuration.token, lastTick: last >= 0 ? Tick(UInt32(last)) : nil), into: &writer)
        sendNow(writer.bytes)
        deliver(.connected)
        startTimers()
    }

    func webSocketClient(_ client: WebSocketClient, didReceive kind: WebSocketMessageKind, payload: UnsafeRawBufferPointer) {
        guard kind == .binary, let message = try? ServerMessage.decode(payload) else { return }
        if case .event(.matchEnd, _, _) = message { matchOver = true }
        deliver(.message(message))
    }

    func webSocketClientDidClose(_ client: WebSocketClient, code: WebSocketCloseCode, reason: String) {
        guard client === socket else { return }
        socket = nil
        stopTimers()
        scheduleReconnect(code: code.rawValue)
    }

    private func scheduleReconnect(code: UInt16) {
        // Normal ends, fatal refusals (4001…4099) and our own close do not reconnect; a replaced
        // connection neither (another one took the slot).
        let refused = code >= 4000 && code < 4100
        let shouldReconnect = configuration.reconnect && !closedByClient && !matchOver && code != 1000 && !refused
        let delay = shouldReconnect ? reconnectPolicy.delay(forAttempt: attempt) : nil
        deliver(.closed(code: code, willReconnect: delay != nil))
        guard shouldReconnect else { return }
        guard let delay else {
            // The policy's limit: stop for good and say so, rather than wait silently.
            closedByClient = true
            stopTimers()
            deliver(.gaveUp(attempts: attempt, lastCloseCode: code))
            return
        }
        attempt += 1
        deliver(.reconnecting(attempt: attempt, delayNanos: delay))
        loop.scheduleTimer(at: loop.now + .nanoseconds(Int64(delay))) { [weak self] _ in self?.connect() }
    }

    private func startTimers() {
        let interval = Duration.nanoseconds(Int64(configuration.pingIntervalNanos))
        pingTimer = loop.scheduleRepeatingTimer(first: loop.now + .milliseconds(1), interval: interval) { [weak self] _ in self?.ping() }
        if configuration.connectionLossPerMinute > 0 {
            lossTimer = loop.scheduleRepeatingTimer(first: loop.now + .milliseconds(100), interval: .milliseconds(100)) { [weak self] _ in
                guard let self else { return }
                // Probability per 100 ms check, from the rate per minute.
                let perCheck = UInt64(self.configuration.connectionLossPerMinute / 600 * 1_000_000)
                if self.random.next(below: 1_000_000) < perCheck { self.dropConnection() }
            }
        }
    }

    private func stopTimers() {
        if let pingTimer { loop.cancelTimer(pingTimer) }
        if let lossTimer { loop.cancelTimer(lossTimer) }
        pingTimer = nil
        lossTimer = nil
    }

    private func ping() {
        let now = MonotonicInstant.now().nanoseconds
        writer.clear()
        ClientMessageEncoder.ping(clientTime: now, into: &writer)
        send(writer.bytes)
    }

    /// Closes the socket abruptly (simulated connection loss); the reconnect logic takes over.
    func dropConnection() {
        loop.execute { [self] in
            guard let socket else { return }
            socket.close(code: .goingAway, reason: "simulated connection loss")
        }
    }

    /// Closes for good.
    func close() {
        loop.execute { [self] in
            closedByClient = true
            stopTimers()
            socket?.close(code: .normalClosure, reason: "client closed")
        }
    }

    /// Sends one message, after the simulated latency if any (order preserved).
    func send(_ bytes: [UInt8]) {
        if loop.inEventLoop { sendDelayed(bytes) } else { loop.execute { [self] in sendDelayed(bytes) } }
    }

    private func sendDelayed(_ bytes: [UInt8]) {
        let delay = simulatedDelay()
        guard delay > 0 else {
            sendNow(bytes)
            return
        }
        let at = max(MonotonicInstant.now().nanoseconds + delay, lastOutgoing)
        lastOutgoing = at
        loop.scheduleTimer(at: MonotonicInstant(nanoseconds: at)) { [weak self] _ in self?.sendNow(bytes) }
    }

    private func sendNow(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { socket?.send(.binary, payload: $0) }
    }

    private func deliver(_ item: Inbound) {
        let now = MonotonicInstant.now().nanoseconds
        var at = now
        if case .message = item {
            at = max(now + simulatedDelay(), lastIncoming)
            lastIncoming = at
        }
        inbox.withLock { $0.append((at, item)) }
    }

    private func simulatedDelay() -> UInt64 {
        guard configuration.addedLatencyNanos > 0 || configuration.addedJitterNanos > 0 else { return 0 }
        let jitter = configuration.addedJitterNanos
        let spread = jitter > 0 ? random.next(below: 2 * jitter + 1) : 0
        return configuration.addedLatencyNanos + spread - min(jitter, configuration.addedLatencyNanos + spread)
    }

    // MARK: Any thread

    /// Takes everything available at `now`, in order.
    func take(upTo now: UInt64) -> [Inbound] {
        inbox.withLock { items in
            var count = 0
            while count < items.count && items[count].availableAt <= now { count += 1 }
            let taken = items[0..<count].map(\.item)
            items.removeFirst(count)
            return taken
        }
    }
}
