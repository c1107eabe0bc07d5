import Testing
@testable import LockstepHTTP

@Suite struct HTTPResponseHeadTests {
    @Test func parsesStatusAndHeadersAndReportsConsumedBytes() throws {
        let bytes = Array("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n".utf8) + [0x82]
        let parsed = try bytes.withUnsafeBytes { buffer in try HTTPResponseHead.parse(buffer) }
        #expect(parsed?.0.statusCode == 101)
        #expect(parsed?.0.headers.first("upgrade") == "websocket")
        #expect(parsed?.consumed == bytes.count - 1)
    }

    @Test func incompleteHeadIsNil() throws {
        let bytes = Array("HTTP/1.1 101 Switching".utf8)
        let parsed = try bytes.withUnsafeBytes { buffer in try HTTPResponseHead.parse(buffer) }
        #expect(parsed == nil)
    }

    /// Found by review for issue 14: the status code is three digits; `Int("-99")` and `Int("+99")`
    /// are numbers, so `HTTP/1.1 -99 X` used to parse with status -99.
    @Test func aStatusCodeWithASignIsMalformed() {
        for line in ["HTTP/1.1 -99 X", "HTTP/1.1 +99 X", "HTTP/1.1 1a1 X"] {
            let bytes = Array((line + "\r\n\r\n").utf8)
            #expect(throws: HTTPParseError.malformedRequestLine) { try bytes.withUnsafeBytes { try HTTPResponseHead.parse($0) } }
        }
    }
}
