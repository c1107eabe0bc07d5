import Testing

@testable import LockstepClient

/// The admin client's response reading: `Content-Length`, chunked (Go's net/http, the Agones
/// sidecar, sends bodies over its buffer chunked), or to the end of the connection.
@Suite struct AdminClientTests {
    @Test func readsAChunkedBodyOnceItsLastChunkHasArrived() {
        let response =
            Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n".utf8)
            + Array("7\r\n{\"a\": 1\r\n1\r\n}\r\n0\r\n\r\n".utf8)
        #expect(AdminClient.parse(Array(response.dropLast(2))) == nil)
        let parsed = AdminClient.parse(response)
        #expect(parsed?.status == 200)
        #expect(parsed?.json?["a"] as? Int == 1)
    }

    @Test func readsAContentLengthBodyAndOneThatEndsWithTheConnection() {
        let sized = Array("HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\n{}".utf8)
        #expect(AdminClient.parse(sized)?.status == 404)
        #expect(AdminClient.parse(sized)?.body == Array("{}".utf8))
        let unsized = Array("HTTP/1.1 200 OK\r\n\r\nabc".utf8)
        #expect(AdminClient.parse(unsized) == nil)
        #expect(AdminClient.parse(unsized, atEnd: true)?.body == Array("abc".utf8))
    }
}
