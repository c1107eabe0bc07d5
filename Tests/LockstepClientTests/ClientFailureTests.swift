import LockstepCore
import LockstepEventLoop
import LockstepProtocol
import LockstepSimulation
import LockstepTesting
import Testing

#if canImport(Glibc)
import Glibc
#endif
@testable import LockstepClient
import LockstepClientEventLoop
import LockstepBench
import LockstepBots

/// A client that cannot go on says so and stops, instead of waiting silently.
@Suite(.serialized) struct ClientFailureTests {
    struct Unbuildable: Error, CustomStringConvertible {
        var description: String { "this client has no such simulation" }
    }

    /// A simulation that cannot be built from the WELCOME is an error event, then the client
    /// closes its connection: it no longer sits seated and idle.
    @Test func aSimulationThatCannotBeBuiltIsReportedAndTheClientLeaves() throws {
        let server = try TestBattleServer()
        defer { server.stop() }
        let room = try server.admin.createRoom(["players": 2, "startTimeoutSeconds": 60])
        let configuration = ClientConfiguration(port: server.port, room: room.roomID, token: room.tokens[0])
        let client = LockstepClient<ArenaSimulation>(configuration: configuration, loop: server.clientLoops.next()) { _, _ in
            throw Unbuildable()
        }
        defer { client.close() }
        client.connect()
        var events: [ClientEvent] = []
        #expect(Eventually.wait {
            events += client.poll()
            return client.failure != nil
        })
        #expect(client.failure == .simulation("this client has no such simulation"))
        #expect(events.contains(.failed(.simulation("this client has no such simulation"))))
        #expect(events.firstIndex { if case .welcome = $0 { true } else { false } } != nil)
        // The connection is closed: the room sees its only player go.
        #expect(try Eventually.wait {
            try server.admin.request("GET", "/v1/rooms/\(room.roomID)").json?["connectedPlayers"] as? Int == 0
        })
    }

    /// Bots whose server dies (kill -9) give up once their reconnect policy's attempts are spent,
    /// with the reason, and count no reconnect: none succeeded.
    @Test func botsWhoseServerDiesGiveUpAfterTheReconnectLimitAndCountNoReconnects() throws {
        let executable = try #require(ServerProcess.siblingExecutable(), "the lockstep executable is built with the tests")
        let replays = makeTemporaryDirectory("lockstep-bots-dead-server")
        let process = try ServerProcess(
            executable: executable, arguments: ["--admin-key", "k", "--replays", replays, "--log-level", "warning"])
        var options = BotRunner.Options(port: process.port, adminKey: "k")
        options.players = 2
        options.tickRate = 60
        options.ticks = 100_000
        options.reconnectPolicy = ReconnectPolicy(baseNanos: 5_000_000, maximumNanos: 20_000_000, maxAttempts: 4)
        options.timeoutNanos = 60_000_000_000
        let runner = try BotRunner(options: options)
        defer { runner.stop() }
        try runner.start()
        let room = runner.roomIDs[0]
        let bots = try (0..<2).map { slot in try #require(runner.client(room: room, slot: slot)) }
        #expect(Eventually.wait { bots.allSatisfy { $0.confirmedTickFromAnyThread >= 30 } })
        process.stop(signal: SIGKILL)
        #expect(runner.wait())
        let reports = runner.reports()
        #expect(reports.count == 2)
        for report in reports {
            #expect(report.endReason == nil)
            #expect(report.reconnects == 0)
            guard case .gaveUp(let attempts, _) = report.failure else {
                Issue.record("slot \(report.slot) did not give up: \(String(describing: report.failure))")
                continue
            }
            #expect(attempts == 4)
            #expect(report.failure?.description.contains("gave up after 4 reconnect attempts") == true)
        }
    }
}
