import LockstepTesting
import Testing

@testable import LockstepBattleServer

/// `POST /v1/rooms` bodies: every number that sizes something is checked before it is used.
@Suite struct RoomRequestTests {
    static func request(_ json: String) throws(BattleError) -> RoomRequest {
        try RoomRequest(json: Array(json.utf8), defaults: RoomDefaults(), roomID: "r", phaseOffsetNanos: 0)
    }

    /// Found by review for issue 14: a room of a game the server does not run took `players` as
    /// it came and built one player id per player before anything checked it: -1 trapped the
    /// server (`0..<-1`), 10^12 allocated strings until the OOM killer came.
    @Test(arguments: [-1, 0, 65, 1_000_000_000_000, Int.max])
    func aPlayerCountOutside1To64IsABadRequestBeforeAnythingIsSizedByIt(players: Int) {
        let body = #"{"simulation": "studio.relay", "simulationVersion": 1, "players": \#(players)}"#
        #expect(throws: BattleError.badRequest("'players' must be 1 to 64")) { try Self.request(body) }
    }

    @Test func aRelayedRoomTakesAnyPlayerCountFrom1To64() throws {
        for players in [1, 64] {
            let request = try Self.request(#"{"simulation": "studio.relay", "simulationVersion": 1, "players": \#(players)}"#)
            #expect(request.playerIDs.count == players && request.settings.players == players)
        }
    }

    /// The same body over HTTP: a 400 naming the field, and the server goes on serving.
    @Test func aNegativePlayerCountOverHTTPIsA400AndTheServerStaysUp() throws {
        let server = try TestBattleServer()
        defer { server.stop() }
        let response = try server.admin.request(
            "POST", "/v1/rooms", body: Array(#"{"players": -1, "simulation": "studio.relay", "simulationVersion": 1}"#.utf8))
        #expect(response.status == 400)
        #expect(String(decoding: response.body, as: UTF8.self).contains("'players' must be 1 to 64"))
        #expect(try server.admin.request("GET", "/v1/rooms").status == 200)
    }
}
