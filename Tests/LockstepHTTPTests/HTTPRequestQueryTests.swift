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

    /// Found by review for issue 14: `%` must be followed by two hex digits (RFC 3986
    /// pct-encoded); `UInt8("+f", radix: 16)` is 15 and `UInt8("-0", radix: 16)` is 0, so `%+f`
    /// and `%-0` used to decode to control bytes.
    @Test func anEscapeWithASignIsKeptAsItIs() {
        #expect(HTTPRequest(method: "GET", target: "/?t=%+f").queryValue("t") == "% f")
        #expect(HTTPRequest(method: "GET", target: "/?t=%-0").queryValue("t") == "%-0")
        #expect(HTTPRequest(method: "GET", target: "/?t=%4A%4a").queryValue("t") == "JJ")
    }
}
