import Foundation
import LockstepBench
import LockstepTesting
import Testing

/// The built `lockstep serve` as a user runs it: the pages found beside the executable, the arena
/// registered with its bots, public quick matches on its loopback default.
@Suite struct ServeExecutableTests {
    static func start(_ arguments: [String] = []) throws -> ServerProcess {
        let executable = try #require(ServerProcess.siblingExecutable(), "the lockstep executable is built with the tests")
        let replays = NSTemporaryDirectory() + "lockstep-serve-web-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        return try ServerProcess(executable: executable, arguments: ["--replays", replays, "--log-level", "error"] + arguments)
    }

    @Test func servesTheInstalledPagesAndStartsAQuickMatchWithTheArenaBots() throws {
        let process = try Self.start()
        defer { _ = process.stop() }
        let page = try RawHTTP.send(port: process.port, "GET", "/")
        #expect(page.status == 200 && page.header("Content-Type") == "text/html; charset=utf-8")
        #expect(page.text.contains("<html"))
        let match = try RawHTTP.send(port: process.port, "POST", "/v1/quickmatch", body: Array(#"{"bots":2}"#.utf8))
        #expect(match.status == 201 && match.json?["bots"] as? [Int] == [1, 2] && match.json?["simulation"] as? String == "lockstep.arena")
    }

    @Test func withNoWebOrAMissingRootThePagesAre404AndTheAPIStillAnswers() throws {
        let none = try Self.start(["--no-web"])
        defer { _ = none.stop() }
        #expect(try RawHTTP.send(port: none.port, "GET", "/").status == 404)
        #expect(try RawHTTP.send(port: none.port, "GET", "/healthz").status == 200)
        let missing = try Self.start(["--web-root", "/nonexistent-\(getpid())"])
        defer { _ = missing.stop() }
        let answer = try RawHTTP.send(port: missing.port, "GET", "/")
        #expect(answer.status == 404 && answer.text.contains("--web-root"))
    }

    /// (Tests listen on 127.0.0.1 only: that `auto` is off on other addresses is PublicAccessTests'.)
    @Test func publicQuickMatchOffNeedsTheAdminKey() throws {
        let process = try Self.start(["--public-quickmatch", "off", "--admin-key", "web-key"])
        defer { _ = process.stop() }
        #expect(try RawHTTP.send(port: process.port, "POST", "/v1/quickmatch").status == 403)
        #expect(try RawHTTP.send(port: process.port, "GET", "/v1/replays").status == 403)
        let admin = [("Authorization", "Bearer web-key")]
        #expect(try RawHTTP.send(port: process.port, "GET", "/v1/replays", headers: admin).status == 200)
    }
}
