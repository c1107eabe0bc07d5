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

    init(session: BotSession, token: String, recorder: LoopRecorder, window: BenchWindow) {
        self.session = session
        self.recorder = recorder
        self.window = window
        var writer = WireWriter()
        ClientMessageEncoder.hello(Hello(token: token), into: &writer)
        hello = writer.bytes
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
        }
        if recorder.measurements.framesReceived != framesBefore { recorder.frames.add() }
    }

    func webSocketClientDidClose(_ client: WebSocketClient, code: WebSocketCloseCode, reason: String) {
        recorder.closed.add()
    }
}
