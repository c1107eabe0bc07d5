import LockstepHTTP
import Testing
@testable import LockstepWebSocket

@Suite struct WebSocketHandshakeTests {
    private func request(_ extra: [(String, String)] = [], dropping: String? = nil, method: String = "GET") -> HTTPRequest {
        var fields: [(String, String)] = [
            ("Host", "server.example.com"), ("Upgrade", "websocket"), ("Connection", "Upgrade"),
            ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="), ("Sec-WebSocket-Version", "13"),
        ]
        fields.removeAll { $0.0 == dropping }
        return HTTPRequest(method: method, target: "/chat", headers: HTTPHeaders(fields + extra))
    }

    @Test func rfcExampleKeyIsAccepted() throws {
        let accepted = try WebSocketServerHandshake().accept(request([("Sec-WebSocket-Extensions", "permessage-deflate")]))
        #expect(accepted.response.status.code == 101)
        #expect(accepted.response.headers.first("Sec-WebSocket-Accept") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
        #expect(accepted.response.headers.first("Sec-WebSocket-Extensions") == nil)
    }

    @Test func firstSupportedSubprotocolIsChosen() throws {
        let handshake = WebSocketServerHandshake(subprotocols: ["lockstep.v1"])
        let accepted = try handshake.accept(request([("Sec-WebSocket-Protocol", "chat, lockstep.v1")]))
        #expect(accepted.subprotocol == "lockstep.v1")
        let none = try handshake.accept(request([("Sec-WebSocket-Protocol", "chat")]))
        #expect(none.subprotocol == nil && none.response.headers.first("Sec-WebSocket-Protocol") == nil)
    }

    @Test func refusalsCarryTheirStatuses() {
        let handshake = WebSocketServerHandshake(allowedOrigins: ["https://game.example"])
        let cases: [(HTTPRequest, WebSocketHandshakeError, Int)] = [
            (request([("Origin", "https://game.example")], method: "POST"), .methodNotGet, 405),
            (request([("Origin", "https://game.example")], dropping: "Sec-WebSocket-Key"), .invalidKey, 400),
            (request([("Origin", "https://game.example"), ("Sec-WebSocket-Key", "x")]), .invalidKey, 400),
            (request([("Origin", "https://game.example")], dropping: "Upgrade"), .notAnUpgrade, 426),
            (request([("Origin", "https://evil.example")]), .originNotAllowed, 403),
            (request([("Origin", "https://game.example")], dropping: "Host"), .missingHost, 400),
        ]
        for (request, error, status) in cases {
            #expect(throws: error) { try handshake.accept(request) }
            #expect(error.response.status.code == status)
        }
        var wrongVersion = request([("Origin", "https://game.example")], dropping: "Sec-WebSocket-Version")
        wrongVersion.headers.add(name: "Sec-WebSocket-Version", value: "8")
        #expect(throws: WebSocketHandshakeError.unsupportedVersion) { try handshake.accept(wrongVersion) }
        #expect(WebSocketHandshakeError.unsupportedVersion.response.status.code == 426)
        #expect(WebSocketHandshakeError.unsupportedVersion.response.headers.first("Sec-WebSocket-Version") == "13")
    }

    @Test func clientValidatesTheServersAnswer() throws {
        let client = WebSocketClientHandshake(host: "127.0.0.1:1", path: "/echo", subprotocols: ["lockstep.v1"])
        let requestBytes = client.requestBytes()
        var parser = HTTPRequestParser()
        guard case .request(let parsed, _) = try requestBytes.withUnsafeBytes({ try parser.parse($0) }) else {
            Issue.record("client request does not parse"); return
        }
        let accepted = try WebSocketServerHandshake(subprotocols: ["lockstep.v1"]).accept(parsed)
        let responseBytes = accepted.response.serialized()
        let head = try #require(try responseBytes.withUnsafeBytes { try HTTPResponseHead.parse($0) })
        #expect(try client.validate(head.0) == "lockstep.v1")
        var forged = head.0
        forged.headers.replaceOrAdd(name: "Sec-WebSocket-Accept", value: "AAAA")
        #expect(throws: WebSocketHandshakeError.invalidAccept) { try client.validate(forged) }
    }
}
