import Foundation
import LockstepBattleServer
import LockstepCore
import LockstepProtocol
import LockstepReplay
import LockstepSimulation
import LockstepTesting
import Testing

/// `POST /v1/quickmatch`, `GET /v1/public/rooms` and the replays, as a page uses them: no admin
/// key, on a server listening on 127.0.0.1.
@Suite struct QuickMatchTests {
    @Test func aPageStartsAQuickMatchPlaysItAgainstBotsWatchesItAndDownloadsItsReplay() throws {
        let server = try WebServerFixture.server()
        defer { server.stop() }
        let answer = try RawHTTP.send(port: server.port, "POST", "/v1/quickmatch", body: WebServerFixture.json(["bots": 3, "playerID": "alice"]))
        #expect(answer.status == 201)
        let json = try #require(answer.json)
        let roomID = try #require(json["roomID"] as? String)
        #expect(json["slot"] as? Int == 0 && json["playerID"] as? String == "alice" && json["players"] as? Int == 4)
        #expect(json["bots"] as? [Int] == [1, 2, 3])
        #expect(json["url"] as? String == "ws://127.0.0.1:\(server.port)/v1/play?room=\(roomID)")
        #expect(json["subprotocol"] as? String == "lockstep.v1" && json["simulation"] as? String == "lockstep.arena")
        let watch = try #require(json["watch"] as? [String: Any])
        #expect(watch["token"] as? String == json["spectatorToken"] as? String)

        // The room is listed for spectators, with a token that seats one.
        let listing = try RawHTTP.send(port: server.port, "GET", "/v1/public/rooms")
        let rooms = try #require(listing.json?["rooms"] as? [[String: Any]])
        let listed = try #require(rooms.first { $0["roomID"] as? String == roomID })
        #expect(listed["players"] as? Int == 4 && listed["bots"] as? [Int] == [1, 2, 3] && listed["phase"] as? String == "waiting")
        let spectator = try server.client(room: roomID)
        spectator.hello(token: try #require(listed["spectatorToken"] as? String))
        #expect(spectator.waitForMessages { $0.contains { if case .welcome = $0 { true } else { false } } })

        let player = try server.client(room: roomID)
        player.play(as: PlayerSlot(0)) { _ in ArenaInput(moveX: 50, moveY: -20, aim: nil, fire: true).payload }
        player.hello(token: try #require(json["token"] as? String))
        #expect(player.waitForFrames(240, timeout: 20))
        #expect(player.waitForClose() == 1000)
        #expect(spectator.waitForFrames(240, timeout: 5))

        // Once its footer is written the match is in the replay list, and its bytes download.
        var entry: [String: Any]?
        #expect(try Eventually.wait {
            let replays = try RawHTTP.send(port: server.port, "GET", "/v1/replays").json?["replays"] as? [[String: Any]]
            entry = replays?.first { $0["id"] as? String == roomID }
            return entry != nil
        })
        let found = try #require(entry)
        #expect(found["roomID"] as? String == roomID && found["ticks"] as? Int == 240 && found["simulation"] as? String == "lockstep.arena")
        #expect(found["players"] as? [String] == ["alice", "bot-1", "bot-2", "bot-3"] && found["tickRate"] as? Int == 120)
        let download = try RawHTTP.send(port: server.port, "GET", "/v1/replays/\(roomID)")
        #expect(download.status == 200 && download.header("Content-Type") == "application/octet-stream")
        #expect(download.body == (try readReplayFile(server.replayDirectory + "/\(roomID).lsr")))
        #expect(found["bytes"] as? Int == download.body.count)
        let report = try ReplayVerifier.verify(try ReplayReader.read(download.body), using: .reference)
        #expect(report.isOK && found["finalHash"] as? String == hex64(report.finalHash))
        // An ended room is no longer offered to spectators.
        let after = try RawHTTP.send(port: server.port, "GET", "/v1/public/rooms").json?["rooms"] as? [[String: Any]]
        #expect(after?.contains { $0["roomID"] as? String == roomID } == false)
    }

    @Test func badQuickMatchBodiesAre400() throws {
        let server = try WebServerFixture.server()
        defer { server.stop() }
        for body in [
            #"{"bots":0}"#, #"{"bots":8}"#, #"{"bots":true}"#, #"{"bots":"3"}"#, #"{"x":1}"#, #"{"playerID":"a b"}"#, "[]", "{",
            #"{"maxTicks":0}"#, #"{"maxTicks":241}"#, #"{"maxTicks":1.5}"#, #"{"maxTicks":"60"}"#,
        ] {
            let answer = try RawHTTP.send(port: server.port, "POST", "/v1/quickmatch", body: Array(body.utf8))
            #expect(answer.status == 400, "\(body)")
            #expect((answer.json?["error"] as? String)?.hasPrefix("bad request: ") == true, "\(body)")
        }
        // An empty body is the default: three bots.
        let plain = try RawHTTP.send(port: server.port, "POST", "/v1/quickmatch")
        #expect(plain.status == 201 && plain.json?["bots"] as? [Int] == [1, 2, 3])
    }

    /// A quick match may be shorter than the server's default (here 240 ticks), never longer: one
    /// of 30 ticks ends by its tick limit after 30 frames.
    @Test func aQuickMatchEndsAtTheTickLimitItAskedFor() throws {
        let server = try WebServerFixture.server()
        defer { server.stop() }
        let answer = try RawHTTP.send(port: server.port, "POST", "/v1/quickmatch", body: WebServerFixture.json(["bots": 1, "maxTicks": 30]))
        #expect(answer.status == 201)
        let json = try #require(answer.json)
        let roomID = try #require(json["roomID"] as? String)
        let player = try server.client(room: roomID)
        player.play(as: PlayerSlot(0)) { _ in ArenaInput.neutral.payload }
        player.hello(token: try #require(json["token"] as? String))
        #expect(player.waitForClose(10) == 1000)
        #expect(player.frames.count == 30)
        #expect(player.messages.contains { if case .event(.matchEnd(.tickLimit), _, _) = $0 { true } else { false } })
    }
}
