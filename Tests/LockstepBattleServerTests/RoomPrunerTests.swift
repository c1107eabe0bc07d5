import LockstepReplay
import LockstepTesting
import Testing
@testable import LockstepBattleServer

@Suite struct RoomPrunerTests {
    /// Ended rooms are forgotten on a timer, with no room creation to trigger it, once their
    /// retention has passed; a new room with the forgotten room's id is refused (409) and the
    /// forgotten room's replay is kept byte for byte.
    @Test func endedRoomsAreForgottenOnATimerAndTheirIdsStayTaken() throws {
        let server = try TestBattleServer { battle, _ in battle.endedRoomRetentionSeconds = 0 }
        defer { server.stop() }
        _ = try server.admin.createRoom(["players": 2, "roomID": "pruned-1"])
        #expect(try server.admin.request("POST", "/v1/rooms/pruned-1/end").status == 200)
        #expect(try Eventually.wait { try server.admin.request("GET", "/v1/rooms/pruned-1").json?["replayStatus"] as? String == "written" })
        let path = server.replayDirectory + "/pruned-1.lsr"
        let finished = try readReplayFile(path)
        #expect(try Eventually.wait { try server.admin.request("GET", "/v1/rooms/pruned-1").status == 404 })
        let list = try server.admin.request("GET", "/v1/rooms").json?["rooms"] as? [[String: Any]]
        #expect(list?.isEmpty == true)
        let again = try server.admin.request("POST", "/v1/rooms", body: Array(#"{"players": 2, "roomID": "pruned-1"}"#.utf8))
        #expect(again.status == 409)
        #expect(try readReplayFile(path) == finished)
    }

    /// A room that ended stays listed (its summary and replay through the admin API) but no longer
    /// holds its driver and room: both are freed once its connections have closed, instead of
    /// staying in memory for the retention (about 31 KiB a room, 10 minutes by default).
    @Test func anEndedRoomStaysListedButItsDriverAndRoomAreFreed() throws {
        let server = try TestBattleServer()
        defer { server.stop() }
        let room = try server.admin.createRoom(["players": 2, "roomID": "freed-1", "maxTicks": 30])
        let clients = try server.players(of: room)
        weak var driver = server.server.directory.entry("freed-1")?.driver?.driver
        #expect(driver != nil)
        #expect(clients.allSatisfy { $0.waitForClose(15) != nil })
        #expect(try Eventually.wait { server.server.directory.entry("freed-1")?.endedReason != nil })
        #expect(server.server.directory.entry("freed-1")?.driver == nil)
        #expect(Eventually.wait { driver == nil }, "the ended room's driver is still alive")
        let summary = try server.admin.request("GET", "/v1/rooms/freed-1").json
        #expect(summary?["phase"] as? String == "ended")
        #expect(summary?["ticks"] as? Int == 30)
        #expect(try server.admin.request("POST", "/v1/rooms/freed-1/end").status == 200)
    }
}
