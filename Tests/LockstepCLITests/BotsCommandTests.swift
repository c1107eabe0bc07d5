import LockstepBots
import LockstepClient
import LockstepTesting
import Testing

@testable import LockstepCLI

/// `lockstep bots` joining rooms made elsewhere, and with the sync test on.
@Suite(.serialized) struct BotsCommandTests {
    @Test func botsJoinAGivenRoomWithItsTokensAndPassTheSyncTest() throws {
        let server = try TestBattleServer()
        defer { server.stop() }
        let room = try server.admin.createRoom(["players": 2, "tickRate": 30, "maxTicks": 60, "seed": 4])
        let output = CapturedOutput()
        let status = CommandLineTool.main(
            ["bots", "--url", "ws://127.0.0.1:\(server.port)/v1/play?room=\(room.roomID)", "--token", room.tokens[0], "--token", room.tokens[1],
             "--ticks", "60", "--rate", "30", "--sync-test", "3"],
            output: output)
        #expect(status == 0, "\(output.stderr)")
        let lines = output.stdout.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines.allSatisfy { $0.hasPrefix(room.roomID) && $0.contains("60 ticks") && $0.contains("end tickLimit") })
        #expect(lines.first?.contains("slot 0") == true && lines.last?.contains("slot 1") == true)
    }

    @Test(arguments: [
        ["bots", "--token", "t"],
        ["bots", "--url", "ws://127.0.0.1:9/v1/play"],
        ["bots", "--url", "http://127.0.0.1:9/v1/play", "--token", "t"],
        ["bots", "--url", "ws://127.0.0.1:99999/v1/play", "--token", "t"],
        ["bots", "--admin-key", "k", "--sync-test", "-1"],
    ])
    func inconsistentJoinOptionsAreUsageErrors(arguments: [String]) {
        let output = CapturedOutput()
        #expect(CommandLineTool.main(arguments, output: output) == 64, "\(output.stderr)")
    }

    @Test func aPlayURLGivesHostPortAndRoom() throws {
        #expect(try PlayURL(parsing: "ws://10.0.0.2:8080/v1/play?room=r-1") == PlayURL(host: "10.0.0.2", port: 8080, room: "r-1"))
        #expect(try PlayURL(parsing: "ws://example.com/v1/play") == PlayURL(host: "example.com", port: 80, room: nil))
        #expect(throws: PlayURL.Invalid.self) { try PlayURL(parsing: "ws://:80/") }
    }
}
