import Foundation
import LockstepTesting
import Testing

@Suite struct AdminOneLoopTests {
    /// With one event loop the admin request and the new room share the loop: creating rooms must
    /// still work (it answered 503 "create rooms from outside the event loops" before).
    @Test func roomsCanBeCreatedThroughTheAdminAPIOnAOneLoopServer() throws {
        let server = try TestBattleServer(loops: 1)
        defer { server.stop() }
        for _ in 0..<3 {
            let room = try server.admin.createRoom(["players": 2])
            #expect(room.tokens.count == 2)
        }
    }
}

@Suite struct DuplicateRoomTests {
    /// Creating a room with the id of a live one is refused before anything touches the live
    /// room: its replay file is not truncated and it is not marked ended (both happened before).
    @Test func aSecondRoomWithALiveRoomsIdIsRefusedAndTheLiveRoomIsUntouched() throws {
        let server = try TestBattleServer(loops: 2)
        defer { server.stop() }
        let room = try server.admin.createRoom(["players": 2, "roomID": "dup-1", "startTimeoutSeconds": 60])
        #expect(room.roomID == "dup-1")
        let path = server.replayDirectory + "/dup-1.lsr"
        // The header is written off the loop: wait for it.
        #expect(eventually(5) { (FileManager.default.contents(atPath: path)?.count ?? 0) > 0 })
        let before = try #require(FileManager.default.contents(atPath: path))
        for _ in 0..<3 {
            let again = try server.admin.request("POST", "/v1/rooms", body: Array(#"{"players": 2, "roomID": "dup-1"}"#.utf8))
            #expect(again.status == 400)
            #expect(String(decoding: again.body, as: UTF8.self).contains("exists"))
        }
        #expect(FileManager.default.contents(atPath: path) == before)
        let status = try server.admin.request("GET", "/v1/rooms/dup-1")
        #expect(status.status == 200)
        #expect(status.json?["phase"] as? String == "waiting")
        // Its players can still join.
        let client = try server.client(room: nil)
        defer { client.close() }
        client.hello(token: room.tokens[0])
        #expect(client.waitForMessages { $0.contains { if case .welcome = $0 { true } else { false } } })
    }
}
