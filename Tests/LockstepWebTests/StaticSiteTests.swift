import Foundation
import LockstepBattleServer
import LockstepServer
import LockstepTesting
import Testing

@testable import LockstepWeb

/// The web pages served at `/` by a real server, over real sockets.
@Suite struct StaticSiteTests {
    /// A site in a temporary directory with one file of each served type, a sub-directory with an
    /// index, a hidden file, and a secret beside the root that no request may reach.
    static func makeSite() throws -> (root: String, base: String) {
        let base = NSTemporaryDirectory() + "lockstep-web-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let root = base + "/site"
        let files: [String: String] = [
            "index.html": "<h1>home</h1>", "app/main.js": "export const x = 1;", "app/style.css": "body{}",
            "arena/arena.wasm": "\0asm", "img/shot.png": "PNG", "data/list.json": "{}", "watch/index.html": "<p>watch</p>",
            ".hidden": "no",
        ]
        for (path, text) in files {
            let full = root + "/" + path
            try FileManager.default.createDirectory(
                atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(text.utf8).write(to: URL(fileURLWithPath: full))
        }
        try Data("top secret".utf8).write(to: URL(fileURLWithPath: base + "/secret.txt"))
        return (root, base)
    }

    static func serve(_ site: StaticSite) throws -> TestBattleServer {
        try TestBattleServer(beforeStart: { site.install(on: $0.network) })
    }

    @Test func servesEachFileWithItsContentTypeAndIndexAtTheRoot() throws {
        let (root, base) = try Self.makeSite()
        defer { try? FileManager.default.removeItem(atPath: base) }
        let server = try Self.serve(StaticSite(root: root, logger: Logger(level: .error)))
        defer { server.stop() }
        let expected: [(String, String, String)] = [
            ("/", "text/html; charset=utf-8", "<h1>home</h1>"),
            ("/app/main.js", "text/javascript; charset=utf-8", "export const x = 1;"),
            ("/app/style.css", "text/css; charset=utf-8", "body{}"),
            ("/arena/arena.wasm", "application/wasm", "\0asm"),
            ("/img/shot.png", "image/png", "PNG"),
            ("/data/list.json", "application/json", "{}"),
            ("/watch/", "text/html; charset=utf-8", "<p>watch</p>"),
            ("/app/main.js?v=2", "text/javascript; charset=utf-8", "export const x = 1;"),
        ]
        for (path, type, body) in expected {
            let response = try RawHTTP.send(port: server.port, "GET", path)
            #expect(response.status == 200, "\(path)")
            #expect(response.header("Content-Type") == type, "\(path)")
            #expect(response.text == body, "\(path)")
            #expect(response.header("Cache-Control") == "no-cache")
            #expect(response.header("ETag")?.hasPrefix("\"") == true)
        }
        // A directory without its slash is redirected to it.
        let redirect = try RawHTTP.send(port: server.port, "GET", "/watch")
        #expect(redirect.status == 301 && redirect.header("Location") == "/watch/")
        // The admin API and the built-in routes are still theirs.
        #expect(try RawHTTP.send(port: server.port, "GET", "/healthz").text == "ok\n")
        #expect(try RawHTTP.send(port: server.port, "GET", "/v1/rooms").status == 401)
    }

    @Test func headAnswersTheSameHeadWithoutABodyAndAMatchingETagIs304() throws {
        let (root, base) = try Self.makeSite()
        defer { try? FileManager.default.removeItem(atPath: base) }
        let server = try Self.serve(StaticSite(root: root, logger: Logger(level: .error)))
        defer { server.stop() }
        let get = try RawHTTP.send(port: server.port, "GET", "/app/main.js")
        let head = try RawHTTP.send(port: server.port, "HEAD", "/app/main.js")
        #expect(head.status == 200 && head.body.isEmpty)
        #expect(head.header("Content-Length") == "19" && head.header("ETag") == get.header("ETag"))
        let etag = try #require(get.header("ETag"))
        let cached = try RawHTTP.send(port: server.port, "GET", "/app/main.js", headers: [("If-None-Match", "\"other\", \(etag)")])
        #expect(cached.status == 304 && cached.body.isEmpty && cached.header("Content-Length") == nil)
        #expect(cached.header("ETag") == etag)
        let stale = try RawHTTP.send(port: server.port, "GET", "/app/main.js", headers: [("If-None-Match", "\"other\"")])
        #expect(stale.status == 200)
        #expect(try RawHTTP.send(port: server.port, "POST", "/app/main.js").status == 405)
    }

    @Test func missingFilesAre404AndNoPathReachesOutsideTheRoot() throws {
        let (root, base) = try Self.makeSite()
        defer { try? FileManager.default.removeItem(atPath: base) }
        let server = try Self.serve(StaticSite(root: root, logger: Logger(level: .error)))
        defer { server.stop() }
        #expect(try RawHTTP.send(port: server.port, "GET", "/nope.js").status == 404)
        #expect(try RawHTTP.send(port: server.port, "GET", "/.hidden").status == 404)
        for path in [
            "/../secret.txt", "/app/../../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E%2Fsecret.txt", "/app/..%2F..%2Fsecret.txt",
            "/..%5csecret.txt", "/secret.txt%00.html", "/%zz",
        ] {
            let response = try RawHTTP.send(port: server.port, "GET", path)
            #expect(response.status == 400 || response.status == 404, "\(path)")
            #expect(!response.text.contains("top secret"), "\(path)")
        }
        #expect(try RawHTTP.send(port: server.port, "GET", "/secret.txt").status == 404)
    }

    @Test func withoutPagesEveryPathIs404WithWhatToDo() throws {
        let site = StaticSite.locate(override: "/nonexistent-\(getpid())", logger: Logger(level: .error))
        let server = try Self.serve(site)
        defer { server.stop() }
        let response = try RawHTTP.send(port: server.port, "GET", "/")
        #expect(response.status == 404 && response.text.contains("--web-root"))
    }

    @Test func thePagesInstalledBesideTheBuiltExecutableAreFoundAndHaveAnIndex() throws {
        // SwiftPM copies Sources/LockstepWeb/Public beside the test executable as it does beside `lockstep`.
        let root = try #require(WebRoot.besideExecutable())
        #expect(root.hasSuffix("/Lockstep_LockstepWeb.resources/Public"))
        let site = StaticSite(root: root, logger: Logger(level: .error))
        #expect(site.paths.contains("index.html"))
    }
}
