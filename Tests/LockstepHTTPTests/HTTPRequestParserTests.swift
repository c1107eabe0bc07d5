import LockstepCore
import Testing
@testable import LockstepHTTP

@Suite struct HTTPRequestParserTests {
    private func parse(_ text: String, parser: HTTPRequestParser = HTTPRequestParser()) throws -> HTTPRequestParser.Result {
        var parser = parser
        let bytes = Array(text.utf8)
        return try bytes.withUnsafeBytes { buffer in try parser.parse(buffer) }
    }

    @Test func parsesAnUpgradeRequestAndLeavesFollowingBytes() throws {
        let text = "GET /echo?x=1 HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: keep-alive, Upgrade\r\n\r\n\u{81}"
        guard case .request(let request, let consumed) = try parse(text) else { Issue.record("no request"); return }
        #expect(request.method == "GET")
        #expect(request.path == "/echo")
        #expect(request.headers.first("upgrade") == "websocket")
        #expect(request.headers.contains("connection", token: "upgrade"))
        #expect(consumed == text.utf8.count - 2)
    }

    @Test func everySplitPointNeedsMoreBytesUntilTheHeadIsComplete() throws {
        let bytes = Array("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n".utf8)
        var parser = HTTPRequestParser()
        for end in 0..<bytes.count {
            let result = try bytes.withUnsafeBytes { buffer in
                try parser.parse(UnsafeRawBufferPointer(rebasing: buffer[0..<end]))
            }
            guard case .needMoreBytes = result else { Issue.record("early request at \(end)"); return }
        }
        let result = try bytes.withUnsafeBytes { buffer in try parser.parse(buffer) }
        guard case .request(_, let consumed) = result else { Issue.record("no request"); return }
        #expect(consumed == bytes.count)
    }

    @Test func readsABodyByContentLength() throws {
        let text = "POST /v1/rooms HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello"
        guard case .request(let request, _) = try parse(text) else { Issue.record("no request"); return }
        #expect(request.body == Array("hello".utf8))
        guard case .needMoreBytes = try parse(String(text.dropLast())) else { Issue.record("body not awaited"); return }
    }

    @Test func malformedInputGetsTypedErrors() {
        let cases: [(String, HTTPParseError)] = [
            ("GARBAGE\r\n\r\n", .malformedRequestLine),
            ("GET / HTTP/2.0\r\n\r\n", .unsupportedVersion),
            ("GET / HTTP/1.1\r\nNo colon\r\n\r\n", .malformedHeader),
            ("GET / HTTP/1.1\r\nBad Name: x\r\n\r\n", .malformedHeader),
            ("GET / HTTP/1.1\nHost: x\n\n\r\n\r\n", .malformedHeader),
            ("POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", .invalidContentLength),
            ("POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", .invalidContentLength),
            ("POST / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n", .invalidContentLength),
            ("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", .transferEncodingNotSupported),
        ]
        for (text, expected) in cases {
            #expect(throws: expected, "\(text)") { _ = try parse(text) }
        }
    }

    @Test func headAndBodyLimitsAreEnforced() {
        let longHeader = "GET / HTTP/1.1\r\nX: " + String(repeating: "a", count: 9000) + "\r\n\r\n"
        #expect(throws: HTTPParseError.headTooLarge(limit: 8192)) { _ = try parse(longHeader) }
        let endless = "GET / HTTP/1.1\r\nX: " + String(repeating: "a", count: 9000)
        #expect(throws: HTTPParseError.headTooLarge(limit: 8192)) { _ = try parse(endless) }
        let body = "POST / HTTP/1.1\r\nContent-Length: 100\r\n\r\n"
        #expect(throws: HTTPParseError.bodyTooLarge(limit: 10)) {
            _ = try parse(body, parser: HTTPRequestParser(maxBodyBytes: 10))
        }
    }

    @Test func errorsMapToTheDocumentedStatuses() {
        #expect(HTTPParseError.malformedRequestLine.status.code == 400)
        #expect(HTTPParseError.headTooLarge(limit: 1).status.code == 431)
        #expect(HTTPParseError.bodyTooLarge(limit: 1).status.code == 413)
        #expect(HTTPParseError.unsupportedVersion.status.code == 505)
        #expect(HTTPParseError.transferEncodingNotSupported.status.code == 501)
    }

    /// Property: no byte sequence traps; each either waits, parses, or throws a typed error.
    @Test func randomBytesNeverCrashTheParser() {
        var random = SplitMix64(state: 0x5EED_1234)
        let alphabet = Array("GET /HTP1.\r\n: \0\u{7f}abcContent-Length0123456789".utf8)
        for _ in 0..<5000 {
            let length = Int.random(in: 0..<300, using: &random)
            let useAlphabet = Bool.random(using: &random)
            var bytes = (0..<length).map { _ in
                useAlphabet ? alphabet.randomElement(using: &random) ?? 0 : UInt8.random(in: 0...255, using: &random)
            }
            if Bool.random(using: &random) { bytes = Array("GET / HTTP/1.1\r\n".utf8) + bytes + Array("\r\n\r\n".utf8) }
            var parser = HTTPRequestParser(maxHeadBytes: 200, maxBodyBytes: 50)
            _ = try? bytes.withUnsafeBytes { buffer in try parser.parse(buffer) }
        }
    }

    /// Found by the HTTP fuzz target's speed (issue 14): a body that arrives a byte at a time made
    /// every read parse the whole head again (up to 8 KiB of work per byte received). The head
    /// is parsed once; later reads only count the body's bytes.
    @Test func aBodyArrivingAByteAtATimeParsesTheHeadOnce() throws {
        let body = [UInt8](repeating: 0x61, count: 1000)
        let bytes = Array("POST /v1/rooms HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n".utf8) + body
        var parser = HTTPRequestParser()
        var requests: [HTTPRequest] = []
        for end in 1...bytes.count {
            let result = try bytes.withUnsafeBytes { try parser.parse(UnsafeRawBufferPointer(rebasing: $0[0..<end])) }
            if case .request(let request, let consumed) = result {
                #expect(consumed == bytes.count)
                requests.append(request)
            }
        }
        #expect(requests.count == 1 && requests.first?.body == body && requests.first?.target == "/v1/rooms")
        #expect(parser.headParses == 1)
        // The parser is ready for the next request on the same connection.
        let next = Array("GET /healthz HTTP/1.1\r\n\r\n".utf8)
        guard case .request(let second, _) = try next.withUnsafeBytes({ try parser.parse($0) }) else {
            Issue.record("no second request")
            return
        }
        #expect(second.target == "/healthz" && second.body.isEmpty && parser.headParses == 2)
    }
}
