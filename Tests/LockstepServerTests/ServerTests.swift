#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import LockstepEventLoop
import Testing
@testable import LockstepServer

@Suite struct ServerTests {
    @Test func healthzAndMetricsAnswerInPrometheusFormat() throws {
        let server = try startEchoServer()
        defer { server.shutdown() }
        let ws = try #require(RawSocket(port: server.port))
        #expect(ws.upgrade())
        ws.sendFrame(opcode: .text, payload: Array("hi".utf8))
        _ = ws.readFrame()
        let health = try #require(RawSocket(port: server.port))
        health.send("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        #expect(String(decoding: health.readToEnd(), as: UTF8.self).hasSuffix("\r\n\r\nok\n"))
        let metrics = try #require(RawSocket(port: server.port))
        metrics.send("GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        let text = String(decoding: metrics.readToEnd(), as: UTF8.self)
        #expect(text.contains("Content-Type: text/plain; version=0.0.4"))
        for name in ["lockstep_connections_open", "lockstep_connections_total", "lockstep_bytes_total{direction=\"in\"}",
                     "lockstep_websocket_frames_total{direction=\"out\"}", "lockstep_websocket_closes_total{code=\"1002\"}",
                     "lockstep_handshake_failures_total{reason=\"timeout\"}", "lockstep_loop_iterations_total{loop=\"1\"}",
                     "lockstep_timer_lateness_seconds_bucket{loop=\"0\",le=\"+Inf\"}"] {
            #expect(text.contains(name), "\(name)")
        }
        #expect(text.contains("lockstep_websocket_messages_received_total 1\n"))
    }

    @Test func shutdownClosesWebSocketsWith1001() throws {
        let server = try startEchoServer()
        let socket = try #require(RawSocket(port: server.port))
        #expect(socket.upgrade())
        DispatchQueue.global().async { server.shutdown() }
        // The client answers the server's close so the handshake completes.
        let code = socket.readCloseCode()
        socket.sendFrame(opcode: .connectionClose, payload: [0x03, 0xE9])
        #expect(code == 1001)
    }

    @Test func stopAcceptingRefusesNewConnectionsButKeepsOpenOnes() throws {
        let server = try startEchoServer()
        defer { server.shutdown() }
        let open = try #require(RawSocket(port: server.port))
        #expect(open.upgrade())
        server.stopAccepting()
        #expect(RawSocket(port: server.port) == nil)
        open.sendFrame(opcode: .text, payload: Array("still open".utf8))
        #expect(open.readFrame()?.payload == Array("still open".utf8))
    }

    /// A thousand connections that open and send nothing are answered 408 and closed at the
    /// (shortened) handshake deadline, while a well-behaved client keeps echoing throughout.
    @Test func thousandSilentConnectionsAreClosedWhileAGoodClientKeepsWorking() throws {
        // Both ends of every connection live in this process: about 2,000 descriptors, more than
        // the common soft limit of 1,024. Raise it to the hard limit (what `serve` does).
        let limit = OpenFileLimit.raiseToHardLimit()
        try #require(limit.soft >= 2_200, "this test needs 2,200 file descriptors; the hard limit is \(limit.hard)")
        let server = try startEchoServer { $0.handshakeTimeout = .milliseconds(300) }
        defer { server.shutdown() }
        let good = try #require(RawSocket(port: server.port))
        #expect(good.upgrade())
        var silent: [RawSocket] = []
        for index in 0..<1000 {
            if let socket = RawSocket(port: server.port) { silent.append(socket) }
            if index % 100 == 0 {
                good.sendFrame(opcode: .binary, payload: [UInt8(index / 100)])
                #expect(good.readFrame()?.payload == [UInt8(index / 100)])
            }
        }
        #expect(silent.count == 1000)
        var answered = 0
        for socket in silent where String(decoding: socket.readToEnd(), as: UTF8.self).hasPrefix("HTTP/1.1 408") {
            answered += 1
        }
        #expect(answered == 1000)
        good.sendFrame(opcode: .text, payload: Array("after".utf8))
        #expect(good.readFrame()?.payload == Array("after".utf8))
        let timeouts = server.metrics?.handshakeFailures["timeout"]?.load ?? 0
        #expect(timeouts == 1000)
        // Everything but the good client was cleaned up on the server side.
        var open = server.metrics?.connectionsOpen ?? 0
        for _ in 0..<1000 where open > 1 {
            usleep(10_000)
            open = server.metrics?.connectionsOpen ?? 0
        }
        #expect(open == 1)
    }

    @Test func configurationRejectsImpossibleCombinations() {
        var configuration = ServerConfiguration()
        configuration.pingInterval = .seconds(90)
        #expect(throws: ConfigurationError.self) { try configuration.validate() }
        configuration = ServerConfiguration()
        configuration.maxFrameSize = 10 * 1024 * 1024
        #expect(throws: ConfigurationError.self) { try configuration.validate() }
        #expect(throws: Never.self) { try ServerConfiguration().validate() }
    }
}
