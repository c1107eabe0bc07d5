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
}
