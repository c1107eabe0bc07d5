import LockstepBattleServer
import LockstepClient
import LockstepCore
import LockstepProtocol
import LockstepReplay
import LockstepTesting
import TugOfWarGame
import Testing

/// Any registered game, not only the arena: a room of the test-only tug of war is re-simulated by
/// the server, its replay verifies through the registry, and a player whose state diverges is
/// caught by the server's own hash.
@Suite(.serialized) struct RegisteredSimulationTests {
    static func pulls(slot: Int) -> TestGameClient.InputSource {
        { tick in [UInt8((Int(tick.rawValue) &* 7 &+ slot) % 4)] }
    }

    /// A two-player tug-of-war room on `server`, both players seated and pulling.
    static func tugMatch(on server: TestBattleServer, maxTicks: Int, seed: Int, hashInterval: Int) throws
        -> (AdminClient.CreatedRoom, [TestGameClient])
    {
        let room = try server.admin.createRoom([
            "players": 2, "simulation": "test.tug", "simulationVersion": 3, "tickRate": 120, "inputDelay": 2,
            "maxTicks": maxTicks, "seed": seed, "hashInterval": hashInterval,
        ])
        var clients: [TestGameClient] = []
        for slot in 0..<2 {
            let client = try server.client(room: room.roomID)
            client.play(as: PlayerSlot(UInt8(slot)), inputs: Self.pulls(slot: slot))
            client.hello(token: room.tokens[slot])
            clients.append(client)
        }
        return (room, clients)
    }

    /// The hash of the tug of war after the frame of `tick`, replayed from `frames`.
    static func hash(after tick: Tick, frames: [ConfirmedFrame], players: Int, seed: UInt64) throws -> UInt64 {
        var game = try TugOfWar(players: players, seed: seed)
        for frame in frames where frame.tick <= tick { game.step(frame) }
        return game.hash()
    }

    @Test func aRoomOfATestOnlyGameIsReSimulatedAndItsReplayVerifiesThroughTheRegistry() throws {
        let server = try TestBattleServer(simulations: TugOfWar.registry)
        defer { server.stop() }
        let (room, clients) = try Self.tugMatch(on: server, maxTicks: 240, seed: 11, hashInterval: 30)
        for client in clients { #expect(client.waitForFrames(240, timeout: 15)) }
        #expect(clients[0].welcome?.simulationID == "test.tug")
        for client in clients { #expect(client.waitForClose() == 1000) }
        #expect(eventually(5) { (try? ReplayReader.read(try readReplayFile(server.replayDirectory + "/\(room.roomID).lsr"))) != nil })
        let replay = try ReplayReader.read(try readReplayFile(server.replayDirectory + "/\(room.roomID).lsr"))
        // The server's own checkpoints (no client sent a hash) and final hash: it ran the game.
        #expect(replay.checkpoints.map(\.tick.rawValue) == [29, 59, 89, 119, 149, 179, 209, 239])
        let expected = try Self.hash(after: Tick(239), frames: clients[0].frames, players: 2, seed: 11)
        #expect(replay.footer?.finalHash == expected)
        let report = try ReplayVerifier.verify(replay, using: TugOfWar.registry)
        #expect(report.isOK && report.checkpointsChecked == 9 && report.finalHash == expected)
        // Without the game registered the verifier says so.
        #expect(throws: VerificationError.unknownSimulation(id: "test.tug", version: 3)) {
            try ReplayVerifier.verify(replay, using: .reference)
        }
    }

    /// A room of a game the server does not run is relayed: its replay has no final hash (0: not
    /// recorded), and a verifier that has the game checks every frame without calling that a
    /// mismatch (it used to report MISMATCH at the last tick, expected 0x0, on a correct replay).
    @Test func aRelayedGamesReplayVerifiesWithItsFinalHashNotRecorded() throws {
        let server = try TestBattleServer()  // the arena only: the tug of war is relayed
        defer { server.stop() }
        let (room, clients) = try Self.tugMatch(on: server, maxTicks: 120, seed: 9, hashInterval: 0)
        let summary = try #require(try server.admin.request("GET", "/v1/rooms/\(room.roomID)").json)
        #expect(summary["serverSimulates"] as? Bool == false)
        for client in clients { #expect(client.waitForClose(15) == 1000) }
        let path = server.replayDirectory + "/\(room.roomID).lsr"
        #expect(eventually(5) { (try? ReplayReader.read(try readReplayFile(path))) != nil })
        let replay = try ReplayReader.read(try readReplayFile(path))
        #expect(replay.footer?.finalHash == 0)
        let report = try ReplayVerifier.verify(replay, using: TugOfWar.registry)
        #expect(report.isOK && !report.isFinalHashRecorded && report.ticks == 120)
        #expect(report.finalHash == (try Self.hash(after: Tick(119), frames: clients[0].frames, players: 2, seed: 9)))
    }

    @Test func aDivergingPlayerOfATestOnlyGameIsCaughtByTheServersHash() throws {
        let server = try TestBattleServer(simulations: TugOfWar.registry)
        defer { server.stop() }
        let (_, clients) = try Self.tugMatch(on: server, maxTicks: 600, seed: 5, hashInterval: 30)
        #expect(clients[0].waitForFrames(60))
        let honest = try Self.hash(after: Tick(29), frames: clients[0].frames, players: 2, seed: 5)
        clients[0].stateHash(tick: Tick(29), hash: honest)
        clients[1].stateHash(tick: Tick(29), hash: honest ^ 0xdead)
        let isDesync: (ServerMessage) -> Bool = { if case .event(.desync, _, _) = $0 { true } else { false } }
        #expect(clients[0].waitForMessages { $0.contains(where: isDesync) })
        let desyncs = clients[0].messages.compactMap { message -> (PlayerSlot, Tick, UInt64, UInt64)? in
            if case .event(.desync(let slot, let tick, let expected, let actual), _, _) = message { (slot, tick, expected, actual) } else { nil }
        }
        #expect(desyncs.count == 1)
        #expect(desyncs.first?.0 == PlayerSlot(1) && desyncs.first?.1 == Tick(29))
        #expect(desyncs.first?.2 == honest && desyncs.first?.3 == honest ^ 0xdead)
    }

    /// A room names its game exactly: a named game needs its version, a version of a game the
    /// server runs that it does not have is refused (it used to be silently relayed), and the room
    /// says which game it is and whether the server re-simulates it.
    @Test func aRoomNamesItsGameExactlyAndSaysWhetherTheServerRunsIt() throws {
        let server = try TestBattleServer(simulations: TugOfWar.registry)
        defer { server.stop() }
        func create(_ body: String) throws -> (Int, String) {
            let response = try server.admin.request("POST", "/v1/rooms", body: Array(body.utf8))
            return (response.status, String(decoding: response.body, as: UTF8.self))
        }
        let noVersion = try create(#"{"players": 2, "simulation": "test.tug"}"#)
        #expect(noVersion.0 == 400 && noVersion.1.contains("'simulationVersion' is required with 'simulation'"))
        let wrongVersion = try create(#"{"players": 2, "simulation": "lockstep.arena", "simulationVersion": 2}"#)
        #expect(wrongVersion.0 == 400 && wrongVersion.1.contains("runs lockstep.arena version 1, not 2"))
        let relayed = try server.admin.createRoom(["players": 2, "simulation": "studio.other", "simulationVersion": 7])
        let runs = try server.admin.createRoom(["players": 2, "simulation": "test.tug", "simulationVersion": 3])
        let defaulted = try server.admin.createRoom(["players": 2])
        for (room, id, version, simulates) in [
            (relayed.roomID, "studio.other", 7, false), (runs.roomID, "test.tug", 3, true), (defaulted.roomID, "lockstep.arena", 1, true),
        ] {
            let json = try #require(try server.admin.request("GET", "/v1/rooms/\(room)").json)
            #expect(json["simulation"] as? String == id)
            #expect(json["simulationVersion"] as? Int == version)
            #expect(json["serverSimulates"] as? Bool == simulates)
        }
    }

    @Test func aRoomOfARegisteredGameRefusesAPlayerCountTheGameRefuses() throws {
        let server = try TestBattleServer(simulations: TugOfWar.registry)
        defer { server.stop() }
        let response = try server.admin.request(
            "POST", "/v1/rooms", body: Array(#"{"players": 6, "simulation": "test.tug", "simulationVersion": 3}"#.utf8))
        #expect(response.status == 400)
        #expect(String(decoding: response.body, as: UTF8.self).contains("'players' must be 2 to 4 for test.tug"))
    }
}
