import Testing
@testable import LockstepServer

/// The HTTP phase: each malformed or refused request gets its documented status and a close.
@Suite struct HTTPConnectionHandlerTests {
    @Test func bytesThatAreNotHTTPGet400AndAClose() throws {
        let server = try startEchoServer()
        defer { server.shutdown() }
        let socket = try #require(RawSocket(port: server.port))
        socket.send([0x16, 0x03, 0x01, 0x00, 0xA5, 0x01, 0x00, 0x00, 0xA1, 0x03, 0x03] + Array("\r\n\r\n".utf8))
        let answer = String(decoding: socket.readToEnd(), as: UTF8.self)
        #expect(answer.hasPrefix("HTTP/1.1 400 Bad Request"))
    }

    @Test func upgradeWithoutKeyGets400() throws {
        let server = try startEchoServer()
        defer { server.shutdown() }
        let socket = try #require(RawSocket(port: server.port))
        socket.send("GET /echo HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n")
        #expect(String(decoding: socket.readToEnd(), as: UTF8.self).hasPrefix("HTTP/1.1 400"))
    }

    @Test func wrongVersionGets426WithTheSupportedVersion() throws {
        let server = try startEchoServer()
        defer { server.shutdown() }
        let socket = try #require(RawSocket(port: server.port))
        socket.send("GET /echo HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n\r\n")
        let answer = String(decoding: socket.readToEnd(), as: UTF8.self)
        #expect(answer.hasPrefix("HTTP/1.1 426"))
        #expect(answer.contains("Sec-WebSocket-Version: 13\r\n"))
    }

    @Test func unknownPathIs404AndWrongMethodIs405() throws {
        let server = try startEchoServer()
        defer { server.shutdown() }
        let notFound = try #require(RawSocket(port: server.port))
        notFound.send("GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(String(decoding: notFound.readToEnd(), as: UTF8.self).hasPrefix("HTTP/1.1 404"))
        let wrongMethod = try #require(RawSocket(port: server.port))
        wrongMethod.send("DELETE /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        let answer = String(decoding: wrongMethod.readToEnd(), as: UTF8.self)
        #expect(answer.hasPrefix("HTTP/1.1 405"))
        #expect(answer.contains("Allow: GET\r\n"))
    }

    @Test func oversizedHeadGets431() throws {
        let server = try startEchoServer()
        defer { server.shutdown() }
        let socket = try #require(RawSocket(port: server.port))
        socket.send("GET /healthz HTTP/1.1\r\nX-Filler: " + String(repeating: "a", count: 9000) + "\r\n\r\n")
        #expect(String(decoding: socket.readToEnd(), as: UTF8.self).hasPrefix("HTTP/1.1 431"))
    }

    @Test func keepAliveServesSeveralRequestsOnOneConnection() throws {
        let server = try startEchoServer()
        defer { server.shutdown() }
        let socket = try #require(RawSocket(port: server.port))
        socket.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        let answer = String(decoding: socket.readToEnd(), as: UTF8.self)
        #expect(answer.split(separator: "HTTP/1.1 200 OK", omittingEmptySubsequences: false).count == 3)
    }

    @Test func postBodiesReachRouteHandlers() throws {
        var configuration = ServerConfiguration()
        configuration.port = 0
        configuration.loopCount = 1
        let server = try Server(configuration: configuration, logger: Logger(level: .error))
        server.addRoute("POST", "/v1/rooms") { request, _, responder in
            responder.respond(.text(.created, "got \(request.body.count) bytes\n"))
        }
        try server.start()
        defer { server.shutdown() }
        let socket = try #require(RawSocket(port: server.port))
        socket.send("POST /v1/rooms HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\nConnection: close\r\n\r\n{\"players\":")
        let answer = String(decoding: socket.readToEnd(), as: UTF8.self)
        #expect(answer.hasPrefix("HTTP/1.1 201 Created"))
        #expect(answer.hasSuffix("got 11 bytes\n"))
    }
}
