import LockstepEventLoop
import Testing

@testable import LockstepServer

#if canImport(Glibc)
    import Glibc
#endif

/// At the connection limit the server still answers health checks and scrapes, and refuses
/// everything else with a clear 503 rather than a reset; past the reserve, it closes at accept.
@Suite struct CapacityReserveTests {
    /// Sends `request` on a new connection and reads the answer to the end.
    static func ask(_ port: Int, _ request: String) throws -> String {
        let socket = try #require(RawSocket(port: port))
        socket.send(request)
        return String(decoding: socket.readToEnd(), as: UTF8.self)
    }

    @Test func atTheConnectionLimitHealthAndMetricsAreAnsweredAndUpgradesGet503() throws {
        let server = try startEchoServer {
            $0.maxConnections = 2
            $0.capacityReserve = 2
        }
        defer { server.shutdown() }
        let players = [try #require(RawSocket(port: server.port)), try #require(RawSocket(port: server.port))]
        for player in players { #expect(player.upgrade()) }

        // Each answer is read to the end and the socket closed, freeing its reserve place.
        let health = try Self.ask(server.port, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(health.hasPrefix("HTTP/1.1 200") && health.hasSuffix("\r\n\r\nok\n"), "\(health)")
        #expect(health.contains("Connection: close"))
        #expect(
            try Self.ask(server.port, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n").contains("lockstep_connections_open"))
        let answer = try Self.ask(
            server.port,
            "GET /echo HTTP/1.1\r\nHost: test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
        #expect(answer.hasPrefix("HTTP/1.1 503 Service Unavailable"), "\(answer)")
        #expect(answer.contains("Retry-After: 1") && answer.hasSuffix("server at connection capacity, retry later\n"))
        let admin = try Self.ask(server.port, "POST /v1/rooms HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
        #expect(admin.hasPrefix("HTTP/1.1 503"), "\(admin)")

        // The players were never disturbed.
        players[0].sendFrame(opcode: .text, payload: Array("still here".utf8))
        #expect(players[0].readFrame()?.payload == Array("still here".utf8))
    }

    @Test func pastTheReserveConnectionsAreClosedAtAccept() throws {
        let server = try startEchoServer {
            $0.maxConnections = 1
            $0.capacityReserve = 1
        }
        defer { server.shutdown() }
        let player = try #require(RawSocket(port: server.port))
        #expect(player.upgrade())
        // Holds the one reserve place (silent: it has 1 s to ask before it is answered 408).
        let silent = try #require(RawSocket(port: server.port))
        #expect(waitUntil { (server.metrics?.connectionsOpen ?? 0) >= 2 })
        let beyond = try #require(RawSocket(port: server.port))
        beyond.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(beyond.readToEnd().isEmpty)
        #expect(String(decoding: silent.readToEnd(), as: UTF8.self).hasPrefix("HTTP/1.1 408"))
        #expect((server.metrics?.connectionsRefused.load ?? 0) >= 1)
    }
}
