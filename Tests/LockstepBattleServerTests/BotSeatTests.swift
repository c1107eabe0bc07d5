import LockstepBattleServer
import LockstepBots
import LockstepClient
import LockstepCore
import LockstepProtocol
import LockstepReplay
import LockstepSimulation
import LockstepTesting
import Testing

/// Bot seats: slots of a room the server plays itself with the registered game's bots.
@Suite struct BotSeatTests {
    /// The arena with its seat bots, as the `lockstep` executable registers it.
    static var arenaWithBots: SimulationRegistry {
        var registry = SimulationRegistry()
        registry.register(ArenaSimulation.self, bot: ArenaSeatBot.factory)
        return registry
    }

    @Test func onePlayerAndThreeBotsPlayAWholeMatchWhoseReplayVerifies() throws {
        let server = try TestBattleServer(simulations: Self.arenaWithBots)
        defer { server.stop() }
        let response = try server.admin.request(
            "POST", "/v1/rooms", body: Array(#"{"players":4,"bots":3,"tickRate":120,"maxTicks":360,"seed":7,"hashInterval":60}"#.utf8))
        #expect(response.status == 201)
        let json = try #require(response.json)
        #expect(json["bots"] as? [Int] == [1, 2, 3])
        let tokens = try #require(json["tokens"] as? [[String: Any]])
        #expect(tokens.count == 1 && tokens[0]["slot"] as? Int == 0)
        let roomID = try #require(json["roomID"] as? String)
        let human = try server.client(room: roomID)
        human.play(as: PlayerSlot(0)) { tick in ArenaInput(moveX: 100, moveY: 0, aim: nil, fire: tick.rawValue % 2 == 0).payload }
        human.hello(token: try #require(tokens[0]["token"] as? String))
        #expect(human.waitForFrames(360, timeout: 20))
        #expect(human.waitForClose() == 1000)
        let frames = human.frames
        // Every bot input is on time, and the bots move and aim: not the neutral input.
        for frame in frames {
            for slot in 1...3 { #expect(frame.status(of: slot) == .onTime) }
        }
        for slot in 1...3 {
            #expect(frames.contains { frame in frame.payload(of: slot).count == 5 && frame.payload(of: slot).contains { $0 != 0 } })
        }
        let path = server.replayDirectory + "/" + roomID + ".lsr"
        // The footer is written on the replay queue's thread, after the close went out.
        #expect(eventually(5) { (try? ReplayReader.read(try readReplayFile(path))) != nil })
        let replay = try ReplayReader.read(try readReplayFile(path))
        #expect(replay.frameCount == 360)
        #expect(replay.header.players == ["player-0", "bot-1", "bot-2", "bot-3"])
        let report = try ReplayVerifier.verify(replay, using: .reference)
        #expect(report.isOK && report.checkpointsChecked >= 5)
        for index in 0..<360 { #expect(replay.frame(at: index) == frames[index]) }
        // The bots' joins are told and recorded.
        #expect(replay.events.filter { $0.kind == .join && $0.detail == "bot" }.count == 3)
    }

    @Test func aBotSlotCannotBeJoinedAndBotsNeedAGameWithBots() throws {
        let server = try TestBattleServer(simulations: Self.arenaWithBots)
        defer { server.stop() }
        let created = try server.admin.createRoom(["players": 2, "bots": 1, "tickRate": 60, "maxTicks": 600])
        let intruder = try server.client(room: created.roomID)
        intruder.hello(token: server.server.mintToken(
            JoinToken(roomID: created.roomID, playerID: "x", role: .player(PlayerSlot(1)), expiresAt: TokenSigner.unixNow() + 60)))
        #expect(intruder.waitForMessages { $0.contains { if case .error(ProtocolErrorCode.roomFull.rawValue, _, _) = $0 { true } else { false } } })
        for body in [
            #"{"players":2,"bots":2}"#, #"{"players":2,"bots":-1}"#, #"{"players":2,"bots":1,"simulation":"other.game","simulationVersion":1}"#,
        ] {
            let response = try server.admin.request("POST", "/v1/rooms", body: Array(body.utf8))
            #expect(response.status == 400, "\(body)")
        }
        let relayed = try server.admin.request(
            "POST", "/v1/rooms", body: Array(#"{"players":2,"bots":1,"simulation":"other.game","simulationVersion":1}"#.utf8))
        #expect((relayed.json?["error"] as? String)?.contains("only relayed") == true)
        // The reference registry has the arena without bots.
        let plain = try TestBattleServer()
        defer { plain.stop() }
        let refused = try plain.admin.request("POST", "/v1/rooms", body: Array(#"{"players":2,"bots":1}"#.utf8))
        #expect(refused.status == 400 && (refused.json?["error"] as? String)?.contains("no bots") == true)
    }

    @Test func theSeatBotAimsAtTheNearestOpponent() {
        #expect(ArenaSeatBot.angle(dx: 10, dy: 0) == 0)
        #expect(ArenaSeatBot.angle(dx: 0, dy: 10) == 16384)
        #expect(ArenaSeatBot.angle(dx: -10, dy: 0) == 32768)
        #expect(ArenaSeatBot.angle(dx: 0, dy: -10) == 49152)
        #expect(abs(Int(ArenaSeatBot.angle(dx: 10, dy: 10)) - 8192) <= 1)
        // 30 degrees is 5461 units; the approximation is within a third of a degree (61 units).
        #expect(abs(Int(ArenaSeatBot.angle(dx: 866, dy: 500)) - 5461) <= 61)
    }
}
