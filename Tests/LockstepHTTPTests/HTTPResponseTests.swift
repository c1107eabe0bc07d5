import Testing
@testable import LockstepHTTP

@Suite struct HTTPResponseTests {
    @Test func serializesStatusHeadersLengthAndBody() {
        let response = HTTPResponse.text(.ok, "ok\n")
        #expect(String(decoding: response.serialized(), as: UTF8.self)
            == "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 3\r\n\r\nok\n")
    }

    @Test func switchingProtocolsHasNoContentLength() {
        let response = HTTPResponse(status: .switchingProtocols, headers: HTTPHeaders([("Upgrade", "websocket")]))
        #expect(String(decoding: response.serialized(), as: UTF8.self)
            == "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n")
    }

    @Test func errorResponsesCloseTheConnection() {
        let response = HTTPResponse.error(.notFound)
        #expect(response.headers.first("Connection") == "close")
        #expect(response.body == Array("404 Not Found\n".utf8))
    }
}
