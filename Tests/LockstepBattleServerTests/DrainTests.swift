import Dispatch
import LockstepBattleServer
import LockstepBench
import LockstepClient
import LockstepCore
import LockstepEventLoop
import LockstepProtocol
import LockstepReplay
import LockstepSimulation
import LockstepTesting
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Draining a node: no new rooms, running matches go on to their end (or the drain timeout),
/// then `lockstep serve` exits 0. Over real sockets, against the real executable.
@Suite(.serialized) struct DrainTests {
    static func serve(_ extra: [String]) throws -> (ServerProcess, AdminClient, String) {
        let executable = try #require(
            ServerProcess.siblingExecutable(), "the lockstep executable is built with the tests")
        let replays = makeTemporaryDirectory("lockstep-drain")
        let process = try ServerProcess(
            executable: executable,
            arguments: [
                "--admin-key", "k", "--token-secret", "s", "--replays", replays, "--log-level", "warning",
            ] + extra)
        return (process, AdminClient(port: process.port, adminKey: "k"), replays)
    }

    static func play(_ room: AdminClient.CreatedRoom, port: Int, loop: EventLoop) throws -> [TestGameClient] {
        try (0..<2).map { slot in
            let client = try TestGameClient(port: port, room: room.roomID, loop: loop)
            client.play(as: PlayerSlot(UInt8(slot))) { tick in
                var bot = ArenaBot(seed: UInt64(tick.rawValue), slot: slot)
                return bot.nextInput().payload
            }
            client.hello(token: room.tokens[slot])
            return client
        }
    }

    /// Whether the process exits with status 0 within 15 s without being signalled (killed if not).
    static func exitsZeroByItself(_ process: ServerProcess) -> Bool {
        guard let status = process.waitForExit(timeout: 15) else {
            process.stop(signal: SIGKILL)
            return false
        }
        return status & 0x7F == 0 && (status >> 8) & 0xFF == 0
    }

    static func endReason(_ client: TestGameClient) -> MatchEndReason? {
        client.messages.lazy.compactMap { if case .event(.matchEnd(let reason), _, _) = $0 { reason } else { nil } }
            .first
    }

    @Test func drainRefusesNewRoomsLetsTheRunningMatchEndThenTheProcessExitsZero() throws {
        let (process, admin, replays) = try Self.serve([])
        let loops = try EventLoopGroup(count: 1)
        defer { loops.shutdown() }
        // 480 ticks at 120 Hz: four seconds of match after the start.
        let room = try admin.createRoom([
            "players": 2, "tickRate": 120, "inputDelay": 3, "maxTicks": 480, "hashInterval": 40, "seed": 9,
        ])
        let clients = try Self.play(room, port: process.port, loop: loops.next())
        #expect(clients[0].waitForFrames(60))
        let drain = try admin.request("POST", "/v1/drain")
        #expect(drain.status == 202)
        #expect(drain.json?["state"] as? String == "draining")
        #expect(drain.json?["rooms"] as? Int == 1)
        #expect(drain.json?["timeoutSeconds"] as? Int == 600)
        let refused = try admin.request("POST", "/v1/rooms", body: Array(#"{"players": 2}"#.utf8))
        #expect(refused.status == 503)
        #expect(refused.json?["error"] as? String == "unavailable: the server is draining: it takes no new rooms")
        // The match plays on to its own end, then the server stops by itself.
        for client in clients {
            #expect(client.waitForClose(15) == 1000)
            #expect(Self.endReason(client) == .tickLimit)
        }
        #expect(Self.exitsZeroByItself(process))
        let replay = try ReplayReader.read(try readReplayFile(replays + "/" + room.roomID + ".lsr"))
        #expect(replay.frameCount == 480)
        #expect(try ReplayVerifier.verify(replay, using: .reference).isOK)
    }

    @Test func sigtermWithADrainTimeoutEndsMatchesStillRunningWithTheDrainReasonThenExitsZero() throws {
        let (process, admin, replays) = try Self.serve(["--drain-timeout", "1"])
        let loops = try EventLoopGroup(count: 1)
        defer { loops.shutdown() }
        let room = try admin.createRoom([
            "players": 2, "tickRate": 120, "inputDelay": 3, "maxTicks": 100_000, "hashInterval": 40, "seed": 3,
        ])
        let clients = try Self.play(room, port: process.port, loop: loops.next())
        #expect(clients[0].waitForFrames(60))
        kill(process.pid, SIGTERM)
        // Draining: the match goes on for the timeout (refusing new rooms meanwhile).
        #expect(clients[0].waitForFrames(120))
        #expect(try admin.request("POST", "/v1/rooms", body: Array(#"{"players": 2}"#.utf8)).status == 503)
        for client in clients {
            #expect(client.waitForClose(10) == 1001)
            #expect(Self.endReason(client) == .serverDrainTimeout)
        }
        #expect(Self.exitsZeroByItself(process))
        let replay = try ReplayReader.read(try readReplayFile(replays + "/" + room.roomID + ".lsr"))
        #expect(replay.footer != nil)
        #expect(try ReplayVerifier.verify(replay, using: .reference).isOK)
    }

    @Test func aSecondSignalDuringADrainStopsAtOnce() throws {
        let (process, admin, _) = try Self.serve(["--drain-timeout", "600"])
        let loops = try EventLoopGroup(count: 1)
        defer { loops.shutdown() }
        let room = try admin.createRoom(["players": 2, "tickRate": 120, "inputDelay": 3, "maxTicks": 100_000])
        let clients = try Self.play(room, port: process.port, loop: loops.next())
        #expect(clients[0].waitForFrames(60))
        kill(process.pid, SIGTERM)
        #expect(
            eventually(5) {
                (try? admin.request("POST", "/v1/rooms", body: Array(#"{"players": 2}"#.utf8)).status) == 503
            })
        #expect(clients[0].closeCode == nil)
        let status = process.stop(signal: SIGINT)
        #expect(status & 0x7F == 0 && (status >> 8) & 0xFF == 0)
        for client in clients {
            #expect(client.waitForClose(5) == 1001)
            #expect(Self.endReason(client) == .serverShutdown)
        }
    }

    @Test func withoutADrainTimeoutSigtermStillStopsAtOnce() throws {
        let (process, admin, _) = try Self.serve([])
        let loops = try EventLoopGroup(count: 1)
        defer { loops.shutdown() }
        let room = try admin.createRoom(["players": 2, "tickRate": 120, "inputDelay": 3, "maxTicks": 100_000])
        let clients = try Self.play(room, port: process.port, loop: loops.next())
        #expect(clients[0].waitForFrames(60))
        let status = process.stop(signal: SIGTERM)
        #expect(status & 0x7F == 0 && (status >> 8) & 0xFF == 0)
        for client in clients {
            #expect(client.waitForClose(5) == 1001)
            #expect(Self.endReason(client) == .serverShutdown)
        }
    }

    @Test func anIdleServerDrainsAtOnceAndADrainBodyMustBeValid() throws {
        let server = try TestBattleServer()
        defer { server.stop() }
        let observer = RecordingBattleObserver()
        server.server.addObserver(observer)
        #expect(try server.admin.request("POST", "/v1/drain", body: Array("[1]".utf8)).status == 400)
        #expect(
            try server.admin.request("POST", "/v1/drain", body: Array(#"{"timeoutSeconds": -1}"#.utf8)).status == 400)
        #expect(try AdminClient(port: server.port, adminKey: "wrong").request("POST", "/v1/drain").status == 401)
        #expect(server.server.state == .serving)
        #expect(
            String(decoding: try server.admin.request("GET", "/metrics").body, as: UTF8.self).contains(
                "lockstep_server_state{state=\"serving\"} 1"))
        let answer = try server.admin.request("POST", "/v1/drain", body: Array(#"{"timeoutSeconds": null}"#.utf8))
        #expect(answer.status == 202)
        #expect(answer.json?["state"] as? String == "drained")
        #expect(eventually(5) { observer.states == [.draining(timeoutSeconds: nil), .drained] })
        #expect(try server.admin.request("POST", "/v1/drain").json?["state"] as? String == "drained")
        #expect(
            String(decoding: try server.admin.request("GET", "/metrics").body, as: UTF8.self).contains(
                "lockstep_server_state{state=\"drained\"} 1"))
    }
}

/// Drain against concurrent creations: every creation is either counted and waited for, or refused.
@Suite struct DrainRaceTests {
    @Test func creationsRacingADrainAreEachCreatedAndWaitedForOrRefused() throws {
        let server = try TestBattleServer()
        defer { server.stop() }
        let observer = RecordingBattleObserver()
        server.server.addObserver(observer)
        let answers = Mutex<[Int]>([])
        let admin = server.admin
        DispatchQueue.concurrentPerform(iterations: 40) { index in
            if index == 20 { server.server.drain(timeoutSeconds: nil) }
            let status =
                (try? admin.request("POST", "/v1/rooms", body: Array(#"{"players": 2, "maxTicks": 100000}"#.utf8)))?
                .status ?? 0
            answers.withLock { $0.append(status) }
        }
        let statuses = answers.withLock { $0 }
        #expect(statuses.allSatisfy { $0 == 201 || $0 == 503 }, "\(statuses)")
        let created = statuses.filter { $0 == 201 }.count
        #expect(created < 40 && created > 0)
        #expect(server.server.counts.rooms == created)
        #expect(server.server.state == .draining(timeoutSeconds: nil))
        // Ending every room drains the server, once.
        let rooms = try #require(try admin.request("GET", "/v1/rooms").json?["rooms"] as? [[String: Any]])
        #expect(rooms.count == created)
        for room in rooms {
            let id = try #require(room["roomID"] as? String)
            #expect(try admin.request("POST", "/v1/rooms/\(id)/end").status == 200)
        }
        #expect(eventually(5) { observer.states == [.draining(timeoutSeconds: nil), .drained] })
        #expect(server.server.counts == BattleCounts(rooms: 0, players: 0, maxRooms: 1000))
    }
}
