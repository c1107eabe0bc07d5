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
