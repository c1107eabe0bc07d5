import Foundation
import LockstepBattleServer
import LockstepTesting
import Testing

/// `GET /v1/replays/ID`: only finished replays in the replay directory, named by a checked id.
@Suite struct ReplayEndpointTests {
    @Test func unknownIdsTraversalAndUnfinishedReplaysAre404() throws {
        let server = try WebServerFixture.server()
        defer { server.stop() }
        // A file beside the replay directory, and a replay still being written (a waiting room).
        let outside = server.replayDirectory + "-secret.lsr"
        try Data("secret".utf8).write(to: URL(fileURLWithPath: outside))
        defer { try? FileManager.default.removeItem(atPath: outside) }
        let live = try RawHTTP.send(port: server.port, "POST", "/v1/quickmatch")
        let liveID = try #require(live.json?["roomID"] as? String)
        let secretName = (server.replayDirectory as NSString).lastPathComponent + "-secret"
        for path in [
            "/v1/replays/nope", "/v1/replays/\(liveID)", "/v1/replays/..%2F\(secretName)", "/v1/replays/../\(secretName)",
            "/v1/replays/%2e%2e", "/v1/replays/a.b", "/v1/replays/\(String(repeating: "a", count: 65))",
        ] {
            let answer = try RawHTTP.send(port: server.port, "GET", path)
            #expect(answer.status == 404, "\(path)")
            #expect(!answer.text.contains("secret\n") && answer.text != "secret", "\(path)")
        }
        #expect(try RawHTTP.send(port: server.port, "GET", "/v1/replays?limit=0").status == 400)
        let listed = try RawHTTP.send(port: server.port, "GET", "/v1/replays").json?["replays"] as? [[String: Any]]
        #expect(listed?.isEmpty == true)
    }

    @Test func aGoldenReplayCopiedIntoTheDirectoryIsListedAndServedWhole() throws {
        let server = try WebServerFixture.server()
        defer { server.stop() }
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)
        let golden = parts.joined(separator: "/") + "/Replays/duel-2p-short.lsr"
        let bytes = try Data(contentsOf: URL(fileURLWithPath: golden))
        try bytes.write(to: URL(fileURLWithPath: server.replayDirectory + "/duel-2p-short.lsr"))
        let listed = try #require(try RawHTTP.send(port: server.port, "GET", "/v1/replays").json?["replays"] as? [[String: Any]])
        let entry = try #require(listed.first)
        #expect(entry["id"] as? String == "duel-2p-short" && entry["bytes"] as? Int == bytes.count)
        #expect((entry["finalHash"] as? String)?.count == 18 && (entry["ticks"] as? Int ?? 0) > 0)
        let download = try RawHTTP.send(port: server.port, "GET", "/v1/replays/duel-2p-short")
        #expect(download.status == 200 && download.body == Array(bytes))
        #expect(download.header("Content-Disposition") == "attachment; filename=\"duel-2p-short.lsr\"")
    }
}
