import LockstepCore
import LockstepSimulation
import LockstepTesting
import Testing

@testable import LockstepClient

/// Through the server: a player who joins a running match late catches up from tick 0 without
/// sending an input for any tick already played.
@Suite(.serialized) struct LateJoinEndToEndTests {
    /// Player 1 joins at tick 150 or later of a 60 Hz match its room started without it
    /// (`minPlayers` 1). It catches up from tick 0 and plays on, and the rate limit (240 messages
    /// at once) never cuts it off: before, it sent an input for each of the ticks since 0 the
    /// moment it was seated, each refused as late (error 22), until the rate limit closed it
    /// (4030). Now its first inputs are for the ticks after the one due; a loaded host may still
    /// make a few of its inputs late, far fewer than the 150 it caught up on. (Here the catch-up,
    /// one FRAME_BATCH, usually arrives before the client's first poll, which hid the hole; the
    /// core's own test feeds the frames after the first poll: `LockstepClientCoreTests`.)
    @Test func aLateJoinerSendsNoInputForTheTicksAlreadyPlayed() throws {
        let kind = TransportEndToEndTests.Kind.socket
        let server = try TestBattleServer()
        defer { server.stop() }
        let room = try server.admin.createRoom([
            "players": 2, "minPlayers": 1, "startTimeoutSeconds": 1, "tickRate": 60, "maxTicks": 360, "seed": 5,
        ])
        let clients = (0..<2).map { slot in
            let configuration = ClientConfiguration(port: server.port, room: room.roomID, token: room.tokens[slot])
            let client = LockstepClient<ArenaSimulation>(
                configuration: configuration, transport: TransportEndToEndTests.makeTransport(kind, configuration, server: server)
            ) { players, seed in try ArenaSimulation(players: players, seed: seed) }
            client.currentInput = [UInt8(slot + 1), 0, 0, 0, 0, 0]  // sent at each deadline by the transport
            return client
        }
        defer { for client in clients { client.close() } }
        clients[0].connect()
        var joined = false
        var lateEvents: [ClientEvent] = []
        #expect(eventually(60) {
            _ = clients[0].poll()
            if !joined, let tick = clients[0].session?.confirmedNext, tick.rawValue >= 150 {
                clients[1].connect()
                joined = true
            }
            if joined { lateEvents += clients[1].poll() }
            return clients.allSatisfy { $0.matchEnd != nil || $0.failure != nil }
        })
        let refused = lateEvents.filter { if case .serverError = $0 { true } else { false } }
        #expect(refused.count < 20, "\(refused.prefix(3)) and \(max(0, refused.count - 3)) more")
        for client in clients {
            #expect(client.failure == nil)
            #expect(client.matchEnd == .tickLimit)
            #expect(client.session?.confirmedNext == Tick(360))
        }
    }
}
