import Foundation
import LockstepClient
import LockstepCore
import LockstepEventLoop
@testable import LockstepReplay
import LockstepSimulation
import LockstepTesting
import Synchronization
import Testing
@testable import LockstepBattleServer

#if canImport(Glibc)
import Glibc
import LockstepBench
#endif

/// A replay on disk is never overwritten, a failure to write one is told truthfully, and matches
/// an earlier run left unfinished are listed.
@Suite struct ReplayFileTests {
    static func freshDirectory(_ name: String) -> String {
        "/tmp/lockstep-replay-files-\(getpid())-\(name)-\(UInt32.random(in: 0...UInt32.max))"
    }

    static func server(replays: String) throws -> TestBattleServer {
        try TestBattleServer { battle, _ in battle.replayDirectory = replays }
    }

    /// Creating a room with the id of a finished match after a restart answers 409 (no path in
    /// the answer) and leaves the finished replay byte for byte as it was; it used to be cut.
    @Test func aRoomIdWhoseReplayIsOnDiskIsRefusedWith409AfterARestartAndTheReplayIsKept() throws {
        let replays = Self.freshDirectory("restart")
        let path = replays + "/final-1.lsr"
        let first = try Self.server(replays: replays)
        _ = try first.admin.createRoom(["players": 2, "roomID": "final-1"])
        #expect(try first.admin.request("POST", "/v1/rooms/final-1/end").status == 200)
        #expect(try Eventually.wait { try first.admin.request("GET", "/v1/rooms/final-1").json?["replayStatus"] as? String == "written" })
        first.stop()
        let finished = try readReplayFile(path)
        #expect(try ReplayReader.read(finished).footer != nil)

        let second = try Self.server(replays: replays)
        defer { second.stop() }
        let again = try second.admin.request("POST", "/v1/rooms", body: Array(#"{"players": 2, "roomID": "final-1"}"#.utf8))
        #expect(again.status == 409)
        let message = (again.json?["error"] as? String) ?? ""
        #expect(message.contains("already has a replay") && !message.contains(replays))
        #expect(try readReplayFile(path) == finished)
        #expect(second.logLines.all.contains { $0.contains("event=replay_exists") && $0.contains(path) })
    }

    /// A room whose replay cannot be created is refused with 503 and a message without the
    /// server's paths; the log has the path and the reason, and the failure is counted.
    @Test func aRoomWhoseReplayCannotBeCreatedIsRefusedWith503WithoutAPath() throws {
        let replays = Self.freshDirectory("gone")
        let server = try Self.server(replays: replays)
        defer { server.stop() }
        #expect(rmdir(replays) == 0)  // the disk went away under the running server
        let answer = try server.admin.request("POST", "/v1/rooms", body: Array(#"{"players": 2, "roomID": "nowhere"}"#.utf8))
        #expect(answer.status == 503)
        let message = (answer.json?["error"] as? String) ?? ""
        #expect(message.contains("cannot create the replay") && !message.contains("/tmp"))
        #expect(server.logLines.all.contains { $0.contains("event=replay_open_failed") && $0.contains(replays) })
        #expect(try server.admin.request("GET", "/metrics").bodyText.contains("lockstep_replay_failures_total 1"))
        #expect(try server.admin.request("GET", "/v1/rooms/nowhere").status == 404)
    }

    /// On a disk that takes no more bytes (`lockstep serve` under `ulimit -f 0`), creating a room
    /// answers 503 and leaves no file behind (it answered 201 and left a 0-byte replay).
    @Test func aRoomCreatedWhenItsReplayHeaderCannotBeWrittenIsRefusedAndLeavesNoFile() throws {
        let executable = try #require(ServerProcess.siblingExecutable(), "the lockstep executable is built with the tests")
        let replays = Self.freshDirectory("no-space")
        let wrapper = replays + "-serve.sh"
        let script = "#!/bin/sh\ntrap '' XFSZ\nulimit -f 0\nexec \(executable) \"$@\"\n"
        #expect(FileManager.default.createFile(atPath: wrapper, contents: Data(script.utf8), attributes: [.posixPermissions: 0o755]))
        defer { unlink(wrapper) }
        let process = try ServerProcess(
            executable: wrapper, arguments: ["--admin-key", "k", "--replays", replays, "--log-level", "warning"])
        defer { process.stop() }
        let admin = AdminClient(port: process.port, adminKey: "k")
        let answer = try admin.request("POST", "/v1/rooms", body: Array(#"{"players": 2, "roomID": "no-space"}"#.utf8))
        #expect(answer.status == 503)
        let message = (answer.json?["error"] as? String) ?? ""
        #expect(message.contains("cannot create the replay for room no-space"))
        #expect(!FileManager.default.fileExists(atPath: replays + "/no-space.lsr"))
        #expect(try admin.request("GET", "/metrics").bodyText.contains("lockstep_replay_failures_total 1"))
    }

    /// A replay whose writes start failing mid-match (a full disk): the match goes on to its end,
    /// the failure is logged once, counted, and shown as the room's `replayStatus`, and the room
    /// is never logged `replay_written`.
    @Test func aReplayThatStopsBeingWrittenIsReportedAndTheMatchGoesOn() throws {
        let server = try TestBattleServer()
        defer { server.stop() }
        let room = try server.admin.createRoom(["players": 2, "tickRate": 60, "maxTicks": 90, "roomID": "full-disk"])
        try Self.makeReplayFail(server, room: room.roomID)
        var clients: [TestGameClient] = []
        for slot in 0..<2 {
            let client = try server.client(room: room.roomID)
            client.play(as: PlayerSlot(UInt8(slot))) { _ in [1, 2] }
            client.hello(token: room.tokens[slot])
            clients.append(client)
        }
        for client in clients { #expect(client.waitForClose(10) == 1000) }
        #expect(clients[0].frames.count == 90)
        let status = try server.admin.request("GET", "/v1/rooms/full-disk").json
        #expect(status?["replayStatus"] as? String == "failed")
        #expect(status?["ticks"] as? Int == 90)
        #expect(try server.admin.request("GET", "/metrics").bodyText.contains("lockstep_replay_failures_total 1"))
        let lines = server.logLines.all
        #expect(lines.filter { $0.contains("event=replay_write_failed") && $0.contains("full-disk") }.count == 1)
        #expect(!lines.contains { $0.contains("event=replay_written") && $0.contains("full-disk") })
    }

    /// Matches an earlier run left without a footer are listed as `interrupted` (list, read,
    /// metric), their files are untouched and verify as far as they go, and their ids are refused.
    @Test func replaysLeftUnfinishedByAnEarlierRunAreListedAsInterrupted() throws {
        let replays = Self.freshDirectory("interrupted")
        #expect(mkdir(replays, 0o755) == 0)
        let path = replays + "/crashed-1.lsr"
        try Self.writeUnfinishedReplay(to: path)
        let before = try readReplayFile(path)
        let server = try Self.server(replays: replays)
        defer { server.stop() }
        _ = try server.admin.createRoom(["players": 2, "roomID": "live-1"])
        let list = try server.admin.request("GET", "/v1/rooms").json?["rooms"] as? [[String: Any]] ?? []
        #expect(list.map { $0["roomID"] as? String } == ["live-1", "crashed-1"])
        let crashed = try server.admin.request("GET", "/v1/rooms/crashed-1")
        #expect(crashed.status == 200 && crashed.json?["phase"] as? String == "interrupted")
        #expect(crashed.json?["replayBytes"] as? Int == before.count)
        #expect(try server.admin.request("GET", "/metrics").bodyText.contains("lockstep_replays_interrupted 1"))
        #expect(server.logLines.all.contains { $0.contains("event=replay_interrupted") && $0.contains("crashed-1") })
        let reuse = try server.admin.request("POST", "/v1/rooms", body: Array(#"{"players": 2, "roomID": "crashed-1"}"#.utf8))
        #expect(reuse.status == 409)
        #expect(try readReplayFile(path) == before)
        let report = try ReplayVerifier.verify(try ReplayReader.read(before, mode: .recover), using: .reference)
        #expect(report.isOK && report.isTruncated && report.checkpointsChecked == 6)
    }

    /// The hostile run's case: `kill -9` mid-match, restart on the same directory: the crashed
    /// match is listed as interrupted, its file verifies as far as it goes, and reusing its id is
    /// refused without cutting the file (it was cut to the header before).
    @Test func aMatchCrashedByKillMinus9IsListedAsInterruptedAfterARestart() throws {
        let executable = try #require(ServerProcess.siblingExecutable(), "the lockstep executable is built with the tests")
        let replays = Self.freshDirectory("kill-9")
        let arguments = ["--admin-key", "k", "--replays", replays, "--replay-flush-ticks", "10", "--log-level", "warning"]
        let first = try ServerProcess(executable: executable, arguments: arguments)
        let room = try AdminClient(port: first.port, adminKey: "k").createRoom(
            ["players": 2, "tickRate": 120, "maxTicks": 100_000, "hashInterval": 20, "roomID": "crashed-2"])
        let loops = try EventLoopGroup(count: 1)
        defer { loops.shutdown() }
        var clients: [TestGameClient] = []
        for slot in 0..<2 {
            let client = try TestGameClient(port: first.port, room: room.roomID, loop: loops.next())
            client.play(as: PlayerSlot(UInt8(slot))) { _ in [0, 0, 0, 0, 1] }
            client.hello(token: room.tokens[slot])
            clients.append(client)
        }
        #expect(clients[0].waitForFrames(100))
        first.stop(signal: SIGKILL)
        let path = replays + "/crashed-2.lsr"
        let crashed = try readReplayFile(path)

        let second = try ServerProcess(executable: executable, arguments: arguments)
        defer { second.stop() }
        let admin = AdminClient(port: second.port, adminKey: "k")
        let listed = try admin.request("GET", "/v1/rooms").json?["rooms"] as? [[String: Any]] ?? []
        #expect(listed.count == 1 && listed.first?["roomID"] as? String == "crashed-2")
        #expect(listed.first?["phase"] as? String == "interrupted")
        #expect(try admin.request("GET", "/metrics").bodyText.contains("lockstep_replays_interrupted 1"))
        let reuse = try admin.request("POST", "/v1/rooms", body: Array(#"{"players": 2, "roomID": "crashed-2"}"#.utf8))
        #expect(reuse.status == 409)
        #expect(try readReplayFile(path) == crashed)
        let report = try ReplayVerifier.verify(try ReplayReader.read(crashed, mode: .recover), using: .reference)
        #expect(report.isOK && report.isTruncated && report.checkpointsChecked >= 4)
    }

    /// Swaps the room's open replay file for `/dev/full` (on the room's loop): every later write
    /// fails with ENOSPC, as on a full disk.
    static func makeReplayFail(_ server: TestBattleServer, room: String) throws {
        let entry = try #require(server.server.directory.entry(room))
        let done = Atomic<Int32>(0)
        let reference = try #require(entry.driver)
        entry.loop.execute {
            let full = open("/dev/full", O_WRONLY | O_CLOEXEC)
            let target = reference.driver.replay?.descriptor ?? -1
            done.store(full >= 0 && target >= 0 && dup2(full, target) == target ? 1 : -1, ordering: .relaxed)
            close(full)
        }
        #expect(Eventually.wait { done.load(ordering: .relaxed) != 0 })
        #expect(done.load(ordering: .relaxed) == 1)
    }

    /// An arena match of 65 ticks flushed every 10 and dropped without its footer (as by a crash).
    static func writeUnfinishedReplay(to path: String) throws {
        let header = ReplayHeader(
            simulationID: ArenaSimulation.simulationID, simulationVersion: ArenaSimulation.simulationVersion, tickRate: 30,
            inputDelay: 0, seed: 3, checkpointInterval: 10, roomID: "crashed-1", players: ["a", "b"])
        var writer: ReplayFileWriter? = try ReplayFileWriter(path: path, header: header, flushInterval: 10)
        var simulation = try ArenaSimulation(players: 2, seed: 3)
        var bots = [ArenaBot(seed: 3, slot: 0), ArenaBot(seed: 3, slot: 1)]
        for tick in 0..<65 {
            let frame = ConfirmedFrame(tick: Tick(UInt32(tick)), inputs: [(.onTime, bots[0].nextInput().payload), (.onTime, bots[1].nextInput().payload)])
            simulation.step(frame)
            try writer?.append(frame)
            if tick % 10 == 9 { writer?.checkpoint(ReplayCheckpoint(tick: Tick(UInt32(tick)), hash: simulation.hash())) }
        }
        writer = nil
    }
}

extension AdminClient.Response {
    var bodyText: String { String(decoding: body, as: UTF8.self) }
}
