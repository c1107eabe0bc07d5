import LockstepCore
import LockstepEventLoop
import LockstepProtocol
import LockstepWebSocket
import LockstepWebSocketClient

/// One benchmark connection on a client loop: sends HELLO when the handshake completes, then
/// hands every message to its `BotSession` and sends the inputs it writes. Confined to its loop.
final class BenchBot: WebSocketClientDelegate {
    /// The connection (set right after it is created on the loop).
    var client: WebSocketClient?
    /// The protocol state and measurements logic.
    var session: BotSession
    private let recorder: LoopRecorder
    private let window: BenchWindow
    private let hello: [UInt8]
    private var counted = false
    /// Told when this bot's match starts and when its connection ends (the soak's room bookkeeping).
    weak var observer: BenchBotObserver?

    /// A bot joining with `token`; `resumeAfter` (a reconnect) asks for every frame after that tick.
    init(session: BotSession, token: String, recorder: LoopRecorder, window: BenchWindow, resumeAfter: UInt32? = nil) {
        self.session = session
        self.recorder = recorder
        self.window = window
        var writer = WireWriter()
        ClientMessageEncoder.hello(Hello(token: token, lastTick: resumeAfter.map { Tick(rawValue: $0) }), into: &writer)
        hello = writer.bytes
    }

    /// Opens the connection to `ws://host:port/path` on `loop` (that loop's thread only).
    func connect(host: String, port: Int, path: String, on loop: EventLoop) throws {
        client = try WebSocketClient(
            host: host, port: port, path: path, subprotocols: ["lockstep.v1"], on: loop, delegate: self,
            maxMessageSize: 1 << 16)
        // Arrival = the kernel's receive time, so the bots' own queueing is not counted
        // (without it, the read time: `kernelTimestampedFraction` tells which).
        try? client?.enableReceiveTimestamps()
    }

    func webSocketClientDidConnect(_ client: WebSocketClient) {
        recorder.connected.add()
        hello.withUnsafeBytes { client.send(.binary, payload: $0) }
    }

    func webSocketClient(_ client: WebSocketClient, didReceive kind: WebSocketMessageKind, payload: UnsafeRawBufferPointer) {
        guard kind == .binary else { return }
        let now = MonotonicInstant.now().nanoseconds
        let stamp = client.lastReceiveRealtime
        let arrival = stamp == 0 ? nil : min(now, recorder.realtimeOffset.monotonic(fromRealtime: stamp))
        let hadSchedule = session.hasSchedule
        let framesBefore = recorder.measurements.framesReceived
        session.receive(payload, at: now, arrivedAt: arrival, window: window, into: &recorder.measurements) { input in
            client.send(.binary, payload: input)
        }
        if !hadSchedule && session.hasSchedule && !counted {
            counted = true
            recorder.started.add()
            observer?.botDidStart(self)
        }
        if recorder.measurements.framesReceived != framesBefore { recorder.frames.add() }
    }

    func webSocketClientDidClose(_ client: WebSocketClient, code: WebSocketCloseCode, reason: String) {
        recorder.closed.add()
        observer?.botDidClose(self)
    }
}

/// Follows bots' lifecycles, on their loop.
protocol BenchBotObserver: AnyObject {
    /// `bot` has its room's schedule (its match started, or it rejoined one).
    func botDidStart(_ bot: BenchBot)
    /// `bot`'s connection ended.
    func botDidClose(_ bot: BenchBot)
}
