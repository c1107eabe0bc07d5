import LockstepClient
import LockstepCore
import LockstepEventLoop
import LockstepProtocol
import LockstepServer
import LockstepWebSocket
import Synchronization

#if canImport(Glibc)
import Glibc
import LockstepWebSocketClient
#endif

/// A scripted game client over real sockets for tests: connects to `/v1/play`, records every
/// server message, and can play by itself (sending an input for each frame it receives).
///
/// Thread-safe: the socket lives on `loop`; the recorded state is behind a mutex; the `wait`
/// helpers sleep until the state changes (a `ConditionSignal`), with a deadline, so a test never
/// hangs. `@unchecked Sendable` because the client, the writer and the autoplay state are
/// confined to `loop`'s thread: they are touched only in the delegate callbacks and in closures
/// run there (`runOnLoop`), and the `WebSocketClient` calls check it in debug builds.
public final class TestGameClient: WebSocketClientDelegate, @unchecked Sendable {
    /// Produces the payload of this client's input for a tick, or `nil` to send nothing.
    public typealias InputSource = @Sendable (Tick) -> [UInt8]?

    private struct State {
        var messages: [ServerMessage] = []
        /// When each message arrived (monotonic ns, the server's clock in this process).
        var arrivals: [UInt64] = []
        var connected = false
        var closeCode: UInt16?
        var undecodable = 0
    }

    public let loop: EventLoop
    private var client: WebSocketClient?
    private let state = Mutex(State())
    /// Signalled after every change of `state`, for the one thread that waits on it.
    private let stateChanged = ConditionSignal()
    private var writer = WireWriter()
    /// Set before the welcome to play automatically: loop-confined once connected.
    private var autoplay: (slot: PlayerSlot, source: InputSource)?
    /// Which ticks autoplay sends inputs for (from the WELCOME on): loop-confined.
    private var pacing: FrameDrivenInputs?

    /// Connects to `ws://127.0.0.1:port/v1/play?room=…` on `loop` and waits for the handshake.
    public init(port: Int, room: String?, loop: EventLoop, timeoutSeconds: Double = 5) throws {
        self.loop = loop
        let path = ProtocolVersion.path + (room.map { "?room=\($0)" } ?? "")
        let failure = Mutex<String?>(nil)
        loop.execute { [self] in
            do {
                client = try WebSocketClient(host: "127.0.0.1", port: port, path: path, subprotocols: [ProtocolVersion.subprotocol], on: loop, delegate: self)
            } catch {
                failure.withLock { $0 = "\(error)" }
            }
        }
        let connected = wait(timeoutSeconds) { $0.connected || $0.closeCode != nil } && state.withLock { $0.connected }
        if let message = failure.withLock({ $0 }) { throw AdminClient.Failure(description: "connect failed: \(message)") }
        guard connected else { throw AdminClient.Failure(description: "WebSocket handshake did not complete") }
    }

    /// Plays automatically as `slot`: after the WELCOME, inputs for the first `inputDelay` ticks,
    /// then one input for tick t + inputDelay + 1 whenever the frame of tick t arrives.
    public func play(as slot: PlayerSlot, inputs: @escaping InputSource) {
        runOnLoop { [self] in autoplay = (slot, inputs) }
    }

    /// Sends a HELLO with `token` (and `lastTick` on reconnect).
    public func hello(token: String, lastTick: Tick? = nil) {
        sendEncoded { ClientMessageEncoder.hello(Hello(token: token, lastTick: lastTick), into: &$0) }
    }

    /// Sends one input.
    public func input(tick: Tick, slot: PlayerSlot, payload: [UInt8]) {
        sendEncoded { ClientMessageEncoder.input(tick: tick, slot: slot, payload: payload, into: &$0) }
    }

    /// Sends a state hash.
    public func stateHash(tick: Tick, hash: UInt64) {
        sendEncoded { ClientMessageEncoder.stateHash(tick: tick, hash: hash, into: &$0) }
    }

    /// Sends raw bytes as one binary message (for hostile-input tests).
    public func sendBinary(_ bytes: [UInt8]) {
        runOnLoop { [self] in bytes.withUnsafeBytes { client?.send(.binary, payload: $0) } }
    }

    /// Sends several binary messages in one loop turn, so they leave in one write (and usually
    /// arrive in one read): a HELLO followed at once by inputs, for example.
    public func sendTogether(_ messages: [[UInt8]]) {
        runOnLoop { [self] in
            for message in messages { message.withUnsafeBytes { client?.send(.binary, payload: $0) } }
        }
    }

    /// Sends a text message (the protocol is binary only).
    public func sendText(_ text: String) {
        runOnLoop { [self] in Array(text.utf8).withUnsafeBytes { client?.send(.text, payload: $0) } }
    }

    /// Stops answering pings (and sending anything): the server sees a peer gone quiet.
    public func goQuiet() {
        runOnLoop { [self] in
            client?.answersPings = false
            autoplay = nil
            pacing = nil
        }
    }

    /// Closes the connection abruptly or with a close frame.
    public func close(code: WebSocketCloseCode = .normalClosure) {
        runOnLoop { [self] in client?.close(code: code, reason: "") }
    }

    /// Every message received so far.
    public var messages: [ServerMessage] { state.withLock { $0.messages } }

    /// Every message received so far with the monotonic time it was read (ns).
    public var timedMessages: [(message: ServerMessage, arrival: UInt64)] {
        state.withLock { state in zip(state.messages, state.arrivals).map { ($0, $1) } }
    }

    /// The close code, once closed.
    public var closeCode: UInt16? { state.withLock { $0.closeCode } }

    /// Every confirmed frame received so far (FRAME and FRAME_BATCH), in order.
    public var frames: [ConfirmedFrame] {
        messages.flatMap { message -> [ConfirmedFrame] in
            switch message {
            case .frame(let frame): [frame]
            case .frameBatch(let frames): frames
            default: []
            }
        }
    }

    /// The error codes received.
    public var errorCodes: [UInt16] {
        messages.compactMap { if case .error(let code, _, _) = $0 { code } else { nil } }
    }

    /// The WELCOME, once received.
    public var welcome: Welcome? {
        messages.lazy.compactMap { if case .welcome(let welcome) = $0 { welcome } else { nil } }.first
    }

    /// Waits until `condition` holds for the recorded messages or `timeout` seconds pass.
    @discardableResult
    public func waitForMessages(_ timeout: Double = 5, _ condition: ([ServerMessage]) -> Bool) -> Bool {
        wait(timeout) { condition($0.messages) }
    }

    /// Waits until at least `count` frames have arrived.
    @discardableResult
    public func waitForFrames(_ count: Int, timeout: Double = 10) -> Bool {
        waitForMessages(timeout) { messages in
            messages.reduce(0) { total, message in
                switch message {
                case .frame: total + 1
                case .frameBatch(let frames): total + frames.count
                default: total
                }
            } >= count
        }
    }

    /// Waits until the connection is closed; returns the close code.
    @discardableResult
    public func waitForClose(_ timeout: Double = 5) -> UInt16? {
        _ = wait(timeout) { $0.closeCode != nil }
        return closeCode
    }

    private func wait(_ timeout: Double, _ condition: (State) -> Bool) -> Bool {
        let deadline = MonotonicInstant.now() + .nanoseconds(Int64(max(0, timeout) * 1e9))
        return stateChanged.wait(until: deadline) { state.withLock { condition($0) } }
    }

    private func runOnLoop(_ body: @escaping @Sendable () -> Void) {
        if loop.inEventLoop { body() } else { loop.execute(body) }
    }

    private func sendEncoded(_ encode: @escaping @Sendable (inout WireWriter) -> Void) {
        runOnLoop { [self] in
            writer.clear()
            encode(&writer)
            writer.bytes.withUnsafeBytes { client?.send(.binary, payload: $0) }
        }
    }

    // MARK: WebSocketClientDelegate (loop thread)

    public func webSocketClientDidConnect(_ client: WebSocketClient) {
        state.withLock { $0.connected = true }
        stateChanged.signal()
    }

    public func webSocketClient(_ client: WebSocketClient, didReceive kind: WebSocketMessageKind, payload: UnsafeRawBufferPointer) {
        guard let message = try? ServerMessage.decode(payload) else {
            state.withLock { $0.undecodable += 1 }
            stateChanged.signal()
            return
        }
        let arrival = MonotonicInstant.now().nanoseconds
        state.withLock {
            $0.messages.append(message)
            $0.arrivals.append(arrival)
        }
        stateChanged.signal()
        guard let autoplay else { return }
        switch message {
        case .welcome(let welcome) where welcome.role == .player:
            // Cover the ticks before the first frame this client will react to.
            var inputs = FrameDrivenInputs(firstTick: welcome.nextTick, inputDelay: Int(welcome.inputDelay))
            inputs.ticksAtStart()?.forEachTick { sendAuto($0, autoplay) }
            pacing = inputs
        case .frame(let frame):
            if var inputs = pacing {
                let due = inputs.ticksDue(afterFrameOf: frame.tick)
                pacing = inputs
                due?.forEachTick { sendAuto($0, autoplay) }
            }
        default:
            break
        }
    }

    private func sendAuto(_ tick: Tick, _ autoplay: (slot: PlayerSlot, source: InputSource)) {
        guard let payload = autoplay.source(tick) else { return }
        writer.clear()
        ClientMessageEncoder.input(tick: tick, slot: autoplay.slot, payload: payload, into: &writer)
        writer.bytes.withUnsafeBytes { client?.send(.binary, payload: $0) }
    }

    public func webSocketClientDidClose(_ client: WebSocketClient, code: WebSocketCloseCode, reason: String) {
        state.withLock { $0.closeCode = code.rawValue }
        stateChanged.signal()
    }
}
