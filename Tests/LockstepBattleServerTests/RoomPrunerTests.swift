import LockstepReplay
import LockstepTesting
import Testing

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
}
