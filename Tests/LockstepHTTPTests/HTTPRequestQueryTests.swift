import Testing
@testable import LockstepHTTP

@Suite struct HTTPRequestQueryTests {
    @Test func findsAndDecodesQueryValues() {
        let request = HTTPRequest(method: "GET", target: "/play?room=r%2F1&token=a+b%3D&flag&room=second")
        #expect(request.queryValue("room") == "r/1")
        #expect(request.queryValue("token") == "a b=")
        #expect(request.queryValue("flag") == "")
        #expect(request.queryValue("missing") == nil)
        #expect(request.path == "/play")
    }

    @Test func malformedEscapesAreKeptAndNoQueryIsNil() {
        #expect(HTTPRequest(method: "GET", target: "/?t=%zz").queryValue("t") == "%zz")
        #expect(HTTPRequest(method: "GET", target: "/?t=%e").queryValue("t") == "%e")
        #expect(HTTPRequest(method: "GET", target: "/?t=%ff").queryValue("t") == "\u{FFFD}")
        #expect(HTTPRequest(method: "GET", target: "/plain").queryValue("t") == nil)
    }
}
