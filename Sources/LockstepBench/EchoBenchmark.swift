import LockstepCore
import LockstepEventLoop
import LockstepWebSocket
import Synchronization

#if canImport(Glibc)
import Glibc
import LockstepWebSocketClient
#endif

/// Measures echo round trips over many WebSocket connections, with the client side of the codec
/// on its own event loops: each connection keeps one message in flight and sends the next as
/// soon as the echo arrives. Not a test: a tool that prints figures.
public struct EchoBenchmark: Sendable {
    /// What to run.
    public struct Options: Sendable {
        /// Server host.
        public var host = "127.0.0.1"
        /// Server port.
        public var port = 0
        /// Concurrent connections (1,000 by default, as the issue asks).
        public var connections = 1000
        /// Payload bytes per message.
        public var messageSize = 32
        /// Seconds measured after the warm-up.
        public var duration: Duration = .seconds(5)
        /// Seconds of traffic before measuring starts.
        public var warmup: Duration = .seconds(1)
        /// Client event loops.
        public var clientLoops = 1

        /// The defaults above.
        public init() {}
    }

    /// The figures measured.
    public struct Report: Sendable, CustomStringConvertible {
        /// Connections that completed the handshake.
        public var connected: Int
        /// Round trips completed inside the measured window.
        public var roundTrips: Int
        /// The measured window in seconds.
        public var seconds: Double
        /// Round-trip percentiles in microseconds: p50, p99, p99.9 and max.
        public var p50: UInt64, p99: UInt64, p999: UInt64, max: UInt64

        /// Echoed messages per second.
        public var messagesPerSecond: Double { seconds > 0 ? Double(roundTrips) / seconds : 0 }

        public var description: String {
            "connections=\(connected) round_trips=\(roundTrips) seconds=\(seconds) "
                + "messages_per_second=\(Int(messagesPerSecond)) rtt_p50_us=\(p50) rtt_p99_us=\(p99) "
                + "rtt_p999_us=\(p999) rtt_max_us=\(max)"
        }
    }

    /// The options this benchmark runs with.
    public var options: Options

    /// Creates a benchmark.
    public init(options: Options) {
        self.options = options
    }

    /// Connects, runs the warm-up and the measured window, closes, and reports.
    ///
    /// - Throws: `SystemError` when the client loops cannot start.
    public func run() throws(SystemError) -> Report {
        let group = try EventLoopGroup(count: options.clientLoops)
        defer { group.shutdown() }
        let window = BenchmarkWindow()
        let recorders = group.loops.map { _ in BenchmarkRecorder() }
        let payload = SharedBuffer(count: options.messageSize) { bytes in
            for index in bytes.indices { bytes[index] = UInt8(truncatingIfNeeded: index) }
        }
        let options = self.options
        for index in 0..<options.connections {
            let loop = group.loops[index % group.loops.count]
            let recorder = recorders[loop.index]
            loop.execute {
                let connection = BenchmarkConnection(recorder: recorder, window: window, payload: payload)
                connection.client = try? WebSocketClient(
                    host: options.host, port: options.port, path: "/echo", on: loop, delegate: connection,
                    maxMessageSize: Swift.max(1024, options.messageSize))
                recorder.connections.append(connection)
            }
        }
        // Wait (at most 30 s) for the handshakes, then warm up and measure.
        let connectDeadline = MonotonicInstant.now() + .seconds(30)
        while recorders.reduce(0, { $0 + $1.connected.load }) < UInt64(options.connections), MonotonicInstant.now() < connectDeadline {
            usleep(10_000)
        }
        let start = MonotonicInstant.now() + options.warmup
        let end = start + options.duration
        window.set(start: start, end: end)
        while MonotonicInstant.now() < end { usleep(50_000) }
        usleep(100_000)
        var roundTrips = LatencyHistogram()
        for (index, recorder) in recorders.enumerated() {
            let collected = Mutex<LatencyHistogram>(LatencyHistogram())
            let done = Mutex<Bool>(false)
            group.loops[index].execute {
                collected.withLock { $0 = recorder.roundTrips }
                for connection in recorder.connections { connection.client?.close() }
                done.withLock { $0 = true }
            }
            while !done.withLock({ $0 }) { usleep(1000) }
            roundTrips.merge(collected.withLock { $0 })
        }
        usleep(200_000)
        return Report(
            connected: Int(recorders.reduce(0) { $0 + $1.connected.load }), roundTrips: Int(roundTrips.count),
            seconds: Double(options.duration.nanosecondsClamped) / 1e9,
            p50: roundTrips.value(atQuantile: 0.5), p99: roundTrips.value(atQuantile: 0.99),
            p999: roundTrips.value(atQuantile: 0.999), max: roundTrips.max)
    }
}

/// The measured window, set by the driving thread and read by the loops.
final class BenchmarkWindow: Sendable {
    private let start = Atomic<UInt64>(.max)
    private let end = Atomic<UInt64>(.max)

    func set(start: MonotonicInstant, end: MonotonicInstant) {
        self.end.store(end.nanoseconds, ordering: .relaxed)
        self.start.store(start.nanoseconds, ordering: .relaxed)
    }

    func contains(sent: UInt64, received: UInt64) -> Bool {
        sent >= start.load(ordering: .relaxed) && received <= end.load(ordering: .relaxed)
    }

    func isOver(_ now: UInt64) -> Bool { now > end.load(ordering: .relaxed) }
}

/// One loop's round trips and connections: confined to that loop's thread (hence `@unchecked
/// Sendable`; its clients' calls check it in debug builds), read after the run has stopped.
final class BenchmarkRecorder: @unchecked Sendable {
    let connected = AtomicCounter()
    /// Round-trip times in the measured window, in microseconds (recorded without allocating).
    var roundTrips = LatencyHistogram()
    var connections: [BenchmarkConnection] = []
}

/// One benchmark connection: one message in flight, the next sent on each echo.
final class BenchmarkConnection: WebSocketClientDelegate {
    var client: WebSocketClient?
    private let recorder: BenchmarkRecorder
    private let window: BenchmarkWindow
    private let payload: SharedBuffer
    private var sentAt: UInt64 = 0

    init(recorder: BenchmarkRecorder, window: BenchmarkWindow, payload: SharedBuffer) {
        self.recorder = recorder
        self.window = window
        self.payload = payload
    }

    func webSocketClientDidConnect(_ client: WebSocketClient) {
        recorder.connected.add()
        sendNext(client)
    }

    func webSocketClient(_ client: WebSocketClient, didReceive kind: WebSocketMessageKind, payload: UnsafeRawBufferPointer) {
        let now = MonotonicInstant.now().nanoseconds
        if window.contains(sent: sentAt, received: now) {
            recorder.roundTrips.record((now - sentAt) / 1000)
        }
        if !window.isOver(now) { sendNext(client) }
    }

    private func sendNext(_ client: WebSocketClient) {
        sentAt = MonotonicInstant.now().nanoseconds
        client.send(.binary, payload: payload.bytes)
    }

    func webSocketClientDidClose(_ client: WebSocketClient, code: WebSocketCloseCode, reason: String) {}
}
