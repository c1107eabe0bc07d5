import Testing

@testable import LockstepWeb

/// `StaticPath`: request paths to file keys, refusing anything that could leave the site.
@Suite struct StaticPathTests {
    @Test func plainPathsAndDirectoriesMapToKeys() throws {
        #expect(try StaticPath.key(for: "/") == "index.html")
        #expect(try StaticPath.key(for: "/app/") == "app/index.html")
        #expect(try StaticPath.key(for: "/lockstep/client.js") == "lockstep/client.js")
        #expect(try StaticPath.key(for: "/a%20b.html") == "a b.html")
    }

    @Test func dotSegmentsBackslashesNulAndBadEscapesAreRefused() {
        for path in [
            "/../Package.swift", "/lockstep/../../etc/passwd", "/%2e%2e/secret", "/%2E%2E%2Fsecret", "/./index.html",
            "/a/..", "/..%5c..%5cetc", "/a%00.html", "/%zz", "/%4", "/%ff%fe", "relative",
        ] {
            #expect(throws: StaticPath.Refusal.self, "\(path)") { try StaticPath.key(for: Substring(path)) }
        }
    }
}
