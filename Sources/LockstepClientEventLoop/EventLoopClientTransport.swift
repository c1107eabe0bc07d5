import LockstepClient
import LockstepCore
import LockstepEventLoop
import LockstepProtocol
import LockstepWebSocket
import LockstepWebSocketClient
import Synchronization

/// A `ClientTransport` on a Linux event loop (epoll), shared by many clients if you like (bots,
/// the benchmark): the socket is confined to the loop, what arrives goes to a mutex-protected
/// inbox for `take(upTo:)`. It can add latency, jitter and connection loss (the configuration's
/// simulated network conditions).
///
/// `@unchecked Sendable`: the socket, timers and send queue belong to `loop`'s thread (reached
/// with `loop.execute`; the `WebSocketClient` calls check it in debug builds); only the inbox and
/// the wake handler are shared, each behind a `Mutex`.
public final class EventLoopClientTransport: ClientTransport, WebSocketClientDelegate, @unchecked Sendable {
    /// The loop the socket runs on.
    public let loop: EventLoop
    let configuration: ClientConfiguration
    private var socket: WebSocketClient?
    /// Where a cluster redirected the client (error 16), if it did.
    private var target: PlayURL?
    private var random: SeededRandom
    private var lossTimer: TimerHandle?
    private var wakeTimer: TimerHandle?
    private var pacer: InputPacer?
    private var paceTimer: TimerHandle?
    private var paceTimerAt: UInt64?
    private var isOpen = false
    private var lastOutgoing: UInt64 = 0
    private var lastIncoming: UInt64 = 0
    private var hello: [UInt8] = []
    private var delayedOutgoing: [(at: UInt64, generation: Int, bytes: [UInt8])] = []
    private var closedByClient = false
    /// Counts connections, so that a delayed send meant for a lost one is not written on the next.
    private var generation = 0
    private let inbox = Mutex<[(availableAt: UInt64, event: TransportEvent)]>([])
    private let wakeHandler = Mutex<(@Sendable () -> Void)?>(nil)

    /// A transport for `configuration`'s server on `loop`.
    public init(configuration: ClientConfiguration, loop: EventLoop) {
        self.configuration = configuration
        self.loop = loop
        random = SeededRandom(seed: configuration.seed ^ 0x7A11_5EED)
    }

    // MARK: ClientTransport (any thread)

    public func open(hello: [UInt8]) {
        onLoop { [self] in
            self.hello = hello
            connect()
        }
    }

    public func redirect(to url: PlayURL) {
        onLoop { [self] in target = url }
    }

    public func send(_ message: [UInt8]) {
        onLoop { [self] in sendDelayed(message) }
    }

    public func drop() {
        onLoop { [self] in socket?.close(code: .goingAway, reason: "simulated connection loss") }
    }

    public func close() {
        onLoop { [self] in
            closedByClient = true
            stopTimers()
            if let wakeTimer { loop.cancelTimer(wakeTimer) }
            wakeTimer = nil
            socket?.close(code: .normalClosure, reason: "client closed")
        }
    }

    public func take(upTo now: UInt64) -> [TransportEvent] {
        inbox.withLock { items in
            var count = 0
            while count < items.count && items[count].availableAt <= now { count += 1 }
            guard count > 0 else { return [] }
            let taken = items[0..<count].map(\.event)
            items.removeFirst(count)
            return taken
        }
    }

    /// Sends each input at its deadline from the loop (through the simulated latency), from the
    /// latest input the game set, even while the client is not polled.
    public func pace(_ pacer: InputPacer) {
        pacer.setDeadlineHandler { [weak self] in
            guard let self else { return }
            self.onLoop { [self] in self.armPaceTimer() }
        }
        onLoop { [self] in
            self.pacer = pacer
            armPaceTimer()
        }
    }

    public func setWakeHandler(_ handler: (@Sendable () -> Void)?) {
        wakeHandler.withLock { $0 = handler }
    }

    public func wake(at instant: UInt64) {
        onLoop { [self] in
            if let wakeTimer { loop.cancelTimer(wakeTimer) }
            wakeTimer = loop.scheduleTimer(at: MonotonicInstant(nanoseconds: instant)) { [weak self] _ in
                guard let self else { return }
                self.wakeTimer = nil
                self.wakeHandler.withLock { $0 }?()
            }
        }
    }

    // MARK: Loop thread

    private func onLoop(_ body: @escaping @Sendable () -> Void) {
        if loop.inEventLoop { body() } else { loop.execute(body) }
    }

    private func connect() {
        guard !closedByClient, socket == nil else { return }
        let room = target?.room ?? configuration.room
        let path = ProtocolVersion.path + (room.map { "?room=\($0)" } ?? "")
        do {
            socket = try WebSocketClient(
                host: target?.host ?? configuration.host, port: target?.port ?? configuration.port, path: path, subprotocols: [ProtocolVersion.subprotocol],
                on: loop, delegate: self, maxMessageSize: 1 << 20)
        } catch {
            deliver(.closed(code: 1006))
        }
    }

    public func webSocketClientDidConnect(_ client: WebSocketClient) {
        generation += 1
        // At once, whatever the simulated latency: the server wants the HELLO first.
        hello.withUnsafeBytes { client.send(.binary, payload: $0) }
        isOpen = true
        deliver(.opened)
        armPaceTimer()
        startLossTimer()
    }

    public func webSocketClient(_ client: WebSocketClient, didReceive kind: WebSocketMessageKind, payload: UnsafeRawBufferPointer) {
        guard kind == .binary else { return }
        deliver(.received(Array(payload)))
    }

    public func webSocketClientDidClose(_ client: WebSocketClient, code: WebSocketCloseCode, reason: String) {
        guard client === socket else { return }
        socket = nil
        isOpen = false
        generation += 1
        stopTimers()
        if !closedByClient { deliver(.closed(code: code.rawValue)) }
    }

    /// Keeps one timer at the pacer's next deadline while a connection is open.
    private func armPaceTimer() {
        let due = isOpen && !closedByClient ? pacer?.nextDeadline() : nil
        guard due != paceTimerAt else { return }
        if let paceTimer { loop.cancelTimer(paceTimer) }
        paceTimer = nil
        paceTimerAt = due
        guard let due else { return }
        paceTimer = loop.scheduleTimer(at: MonotonicInstant(nanoseconds: due)) { [weak self] _ in
            guard let self else { return }
            self.paceTimer = nil
            self.paceTimerAt = nil
            if self.isOpen, let pacer = self.pacer {
                for message in pacer.takeDue(now: MonotonicInstant.now().nanoseconds) { self.sendDelayed(message) }
            }
            self.armPaceTimer()
        }
    }

    private func startLossTimer() {
        guard configuration.connectionLossPerMinute > 0, lossTimer == nil else { return }
        lossTimer = loop.scheduleRepeatingTimer(first: loop.now + .milliseconds(100), interval: .milliseconds(100)) { [weak self] _ in
            guard let self else { return }
            // Probability per 100 ms check, from the rate per minute.
            let perCheck = UInt64(self.configuration.connectionLossPerMinute / 600 * 1_000_000)
            if self.random.next(below: 1_000_000) < perCheck { self.socket?.close(code: .goingAway, reason: "simulated connection loss") }
        }
    }

    private func stopTimers() {
        if let lossTimer { loop.cancelTimer(lossTimer) }
        lossTimer = nil
        if let paceTimer { loop.cancelTimer(paceTimer) }
        paceTimer = nil
        paceTimerAt = nil
    }

    /// Sends one message, after the simulated latency if any (order preserved: messages wait in
    /// a queue, and each timer sends every message due from its front).
    private func sendDelayed(_ bytes: [UInt8]) {
        let delay = simulatedDelay()
        guard delay > 0 || !delayedOutgoing.isEmpty else {
            sendNow(bytes)
            return
        }
        let at = max(MonotonicInstant.now().nanoseconds + delay, lastOutgoing)
        lastOutgoing = at
        delayedOutgoing.append((at, generation, bytes))
        loop.scheduleTimer(at: MonotonicInstant(nanoseconds: at)) { [weak self] _ in self?.sendDue() }
    }

    private func sendDue() {
        let now = MonotonicInstant.now().nanoseconds
        var count = 0
        while count < delayedOutgoing.count, delayedOutgoing[count].at <= now {
            // A message meant for a connection since lost is not written on the next one.
            if delayedOutgoing[count].generation == generation { sendNow(delayedOutgoing[count].bytes) }
            count += 1
        }
        delayedOutgoing.removeFirst(count)
    }

    private func sendNow(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { socket?.send(.binary, payload: $0) }
    }

    private func deliver(_ event: TransportEvent) {
        let now = MonotonicInstant.now().nanoseconds
        var at = now
        if case .received = event {
            at = max(now + simulatedDelay(), lastIncoming)
            lastIncoming = at
        }
        inbox.withLock { $0.append((at, event)) }
        guard let handler = wakeHandler.withLock({ $0 }) else { return }
        if at > now {
            // Delayed by the simulated latency: wake the consumer when it may be processed.
            loop.scheduleTimer(at: MonotonicInstant(nanoseconds: at)) { _ in handler() }
        } else {
            handler()
        }
    }

    private func simulatedDelay() -> UInt64 {
        guard configuration.addedLatencyNanos > 0 || configuration.addedJitterNanos > 0 else { return 0 }
        let jitter = configuration.addedJitterNanos
        let spread = jitter > 0 ? random.next(below: 2 * jitter + 1) : 0
        return configuration.addedLatencyNanos + spread - min(jitter, configuration.addedLatencyNanos + spread)
    }
}
