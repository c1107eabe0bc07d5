import LockstepHTTP
import Testing

@Suite struct HTTPChunkedBodyTests {
    /// RFC 9112 §7.1's framing: two chunks (one with an extension), the last chunk, a trailer.
    static let wire = Array(
        "4\r\nWiki\r\n6;note=x\r\npedia \r\nE\r\nin \r\n\r\nchunks.\r\n0\r\nExpires: never\r\n\r\n".utf8)

    @Test func decodesChunksIgnoringExtensionsAndTrailers() {
        #expect(
            HTTPChunkedBody.decode(Self.wire[...])
                == .complete(body: Array("Wikipedia in \r\n\r\nchunks.".utf8), consumed: Self.wire.count))
    }

    @Test func everyShorterPrefixIsIncomplete() {
        for end in 0..<Self.wire.count {
            #expect(HTTPChunkedBody.decode(Self.wire[0..<end]) == .incomplete, "prefix of \(end) bytes")
        }
    }

    @Test func badFramingIsMalformedNotACrash() {
        #expect(HTTPChunkedBody.decode(Array("zz\r\n".utf8)[...]) == .malformed)
        #expect(HTTPChunkedBody.decode(Array("3\r\nabcX\r\n0\r\n\r\n".utf8)[...]) == .malformed)
        // A size that would overflow an Int or exceed the limit stops at the limit.
        #expect(HTTPChunkedBody.decode(Array("FFFFFFFFFFFFFFFFFFFF\r\n".utf8)[...]) == .malformed)
        #expect(HTTPChunkedBody.decode(Array("11\r\n".utf8)[...], maxBodyBytes: 16) == .malformed)
    }

    @Test func decodesFromASliceNotAtZero() {
        let bytes = Array("HEAD".utf8) + Array("1\r\nx\r\n0\r\n\r\n".utf8)
        #expect(HTTPChunkedBody.decode(bytes[4...]) == .complete(body: [UInt8(ascii: "x")], consumed: 11))
    }
}
