import LockstepAgones
import LockstepBattleServer
import LockstepClient
import LockstepCore
import LockstepProtocol
import LockstepServer
import LockstepTesting
import Testing

/// The agent against a fake sidecar that speaks Agones' documented REST API, with a battle
/// server in this process over real sockets.
@Suite(.serialized) struct AgonesAgentTests {
    /// A sidecar (started unless `sidecarStartsLate`), a server of 50 rooms, and an agent
    /// between them pinging health every 50 ms; `stop()` ends all three.
    struct Rig {
        let sidecar: FakeAgonesSidecar
        let server: TestBattleServer
        let agent: AgonesAgent

        init(
            sidecarStartsLate: Bool = false, counters: [String: Int] = ["rooms": 0],
            lists: [String: Int] = ["players": 1000]
        ) throws {
            sidecar = try FakeAgonesSidecar(counters: counters, lists: lists)
            if !sidecarStartsLate { try sidecar.start() }
            server = try TestBattleServer { battle, _ in battle.maxRooms = 50 }
            var configuration = AgonesConfiguration()
            configuration.sdkPort = sidecar.port
            configuration.healthIntervalSeconds = 0.05
            configuration.readyRetryMaxSeconds = 0.2
            let capture = server.logLines
            agent = AgonesAgent(configuration: configuration, logger: Logger(level: .debug) { capture.append($0) })
            agent.start(observing: server.server)
        }

        func stop() {
            server.stop()
            agent.stop()
            sidecar.stop()
        }
    }

    @Test func readyComesOnceListeningAndHealthKeepsComing() throws {
        let rig = try Rig()
        defer { rig.stop() }
        let (sidecar, agent) = (rig.sidecar, rig.agent)
        #expect(eventually(5) { sidecar.gameServerState == "Ready" })
        #expect(sidecar.count("POST", "/ready") == 1)
        #expect(eventually(5) { agent.gameServer?.name == sidecar.gameServerName })
        #expect(agent.gameServer?.ports["default"] == sidecar.port)
        // The Counter tells Agones how many rooms fit: the server's --max-rooms.
        #expect(eventually(5) { sidecar.counter("rooms") == .init(count: 0, capacity: 50) })
        let before = sidecar.count("POST", "/health")
        #expect(eventually(5) { sidecar.count("POST", "/health") >= before + 5 })
        #expect(sidecar.count("POST", "/shutdown") == 0)
    }

    @Test func readyIsRetriedUntilASidecarThatStartsLateAnswers() throws {
        let rig = try Rig(sidecarStartsLate: true)
        defer { rig.stop() }
        let (sidecar, server) = (rig.sidecar, rig.server)
        // The server runs (and creates rooms) while the sidecar is not up.
        #expect(eventually(5) { server.logLines.all.filter { $0.contains("agones_ready_retry") }.count >= 3 })
        _ = try server.admin.createRoom(["players": 2])
        try sidecar.start()
        #expect(eventually(5) { sidecar.gameServerState == "Ready" })
        #expect(sidecar.count("POST", "/ready") == 1)
        #expect(eventually(5) { sidecar.counter("rooms") == .init(count: 1, capacity: 50) })
    }

    @Test func theRoomsCounterAndThePlayersListFollowRoomsAndPlayers() throws {
        let rig = try Rig()
        defer { rig.stop() }
        let (sidecar, server) = (rig.sidecar, rig.server)
        #expect(eventually(5) { sidecar.gameServerState == "Ready" })
        let rooms = try (0..<3).map { _ in
            try server.admin.createRoom(["players": 2, "tickRate": 120, "maxTicks": 100_000])
        }
        #expect(eventually(5) { sidecar.counter("rooms") == .init(count: 3, capacity: 50) })
        let room = rooms[0]
        let clients = try server.players(of: room)
        #expect(clients[0].waitForFrames(10))
        let players = [room.roomID + "/player-0", room.roomID + "/player-1"]
        #expect(eventually(5) { sidecar.listValues("players") == players })
        clients[1].close()
        #expect(eventually(5) { sidecar.listValues("players") == [players[0]] })
        for ended in rooms { #expect(try server.admin.request("POST", "/v1/rooms/\(ended.roomID)/end").status == 200) }
        #expect(eventually(5) { sidecar.counter("rooms") == .init(count: 0, capacity: 50) })
        #expect(eventually(5) { sidecar.listValues("players") == [] })
        // Empty again: Ready again, so Agones may scale it down.
        #expect(eventually(5) { sidecar.count("POST", "/ready") == 2 })
    }

    @Test func drainingLabelsTheServerLeavesNoSpareCapacityAndShutsDownAfterTheLastMatch() throws {
        let rig = try Rig()
        defer { rig.stop() }
        let (sidecar, server) = (rig.sidecar, rig.server)
        #expect(eventually(5) { sidecar.gameServerState == "Ready" })
        let room = try server.admin.createRoom(["players": 2, "maxTicks": 100_000])
        server.server.drain(timeoutSeconds: nil)
        #expect(eventually(5) { sidecar.labels["agones.dev/sdk-lockstep-draining"] == "true" })
        #expect(eventually(5) { sidecar.counter("rooms") == .init(count: 1, capacity: 1) })
        #expect(sidecar.count("POST", "/shutdown") == 0)
        #expect(try server.admin.request("POST", "/v1/rooms/\(room.roomID)/end").status == 200)
        #expect(eventually(5) { sidecar.gameServerState == "Shutdown" })
        let shutdown = try #require(sidecar.calls.first { $0.path == "/shutdown" })
        #expect(shutdown.roomsCount == 0)
        #expect(sidecar.count("POST", "/shutdown") == 1)
    }

    @Test func aFleetWithoutTheCounterOrListIsLoggedNotFatal() throws {
        let rig = try Rig(counters: [:], lists: [:])
        defer { rig.stop() }
        let (sidecar, server) = (rig.sidecar, rig.server)
        let room = try server.admin.createRoom(["players": 2, "maxTicks": 100_000])
        let clients = try server.players(of: room)
        #expect(clients[0].waitForFrames(5))
        #expect(
            eventually(5) {
                let lines = server.logLines.all
                return lines.contains { $0.contains("agones_counter_failed") && $0.contains("declare the Counter") }
                    && lines.contains { $0.contains("agones_list_failed") && $0.contains("declare the List") }
            })
        // Told once each: no call per change after that.
        let counterCalls = sidecar.count("PATCH", "/v1beta1/counters/rooms")
        _ = try server.admin.createRoom(["players": 2])
        #expect(server.server.counts.rooms == 2)
        #expect(sidecar.count("PATCH", "/v1beta1/counters/rooms") == counterCalls)
        #expect(sidecar.count("POST", "/health") > 0)
    }
}
