import LockstepCore
import LockstepProtocol
import LockstepSimulation
import LockstepTesting
import Testing

@testable import LockstepClient

/// Through the real server on 127.0.0.1: a client refuses another game's room, ends a match its
/// game says is over, and leaves.
@Suite(.serialized) struct GameAgreementEndToEndTests {
    static func client<Game: DeterministicSimulation>(
        _ game: Game.Type, server: TestBattleServer, room: AdminClient.CreatedRoom, slot: Int,
        make: @escaping @Sendable (Int, UInt64) throws -> Game
    ) throws -> LockstepClient<Game> {
        // The play URL the admin API answered, as a game would get it from its matchmaker.
        let configuration = try ClientConfiguration(url: room.url, token: room.tokens[slot])
        return LockstepClient<Game>(configuration: configuration, transport: SocketTransport(configuration: configuration), simulation: make)
    }

    /// A client of another game joins an arena room: refused at the WELCOME, before any input,
    /// and its connection closed (the room sees its player go).
    @Test func aClientOfAnotherGameIsRefusedAtTheWelcomeAndLeaves() throws {
        let server = try TestBattleServer()
        defer { server.stop() }
        let room = try server.admin.createRoom(["players": 2, "startTimeoutSeconds": 60])
        let client = try Self.client(ShortMatch.self, server: server, room: room, slot: 0) { players, seed in
            ShortMatch(players: players, seed: seed)
        }
        defer { client.close() }
        client.connect()
        var events: [ClientEvent] = []
        #expect(eventually(10) {
            events += client.poll()
            return client.failure != nil
        })
        let expected = ClientFailure.simulationMismatch(
            room: ArenaSimulation.simulationID, roomVersion: ArenaSimulation.simulationVersion, client: ShortMatch.simulationID,
            clientVersion: ShortMatch.simulationVersion)
        #expect(client.failure == expected)
        #expect(events.last == .failed(expected))
        #expect(client.session == nil)
        #expect(try eventually(10) {
            try server.admin.request("GET", "/v1/rooms/\(room.roomID)").json?["connectedPlayers"] as? Int == 0
        })
    }

    /// A game over at tick 40 in a room whose tick limit is 6000: both players report MATCH_OVER
    /// and the room ends the match there (reason 4), not at the tick limit.
    @Test func aMatchTheGameSaysIsOverEndsThereNotAtTheTickLimit() throws {
        let server = try TestBattleServer()
        defer { server.stop() }
        let room = try server.admin.createRoom([
            "players": 2, "tickRate": 60, "maxTicks": 6000, "seed": 3, "hashInterval": 10,
            "simulation": ShortMatch.simulationID, "simulationVersion": Int(ShortMatch.simulationVersion),
        ])
        let clients = try (0..<2).map { slot in
            let client = try Self.client(ShortMatch.self, server: server, room: room, slot: slot) { players, seed in
                ShortMatch(players: players, seed: seed)
            }
            client.currentInput = [UInt8(slot + 1)]
            return client
        }
        defer { for client in clients { client.close() } }
        for client in clients { client.connect() }
        #expect(eventually(30) {
            for client in clients { client.poll() }
            return clients.allSatisfy { $0.matchEnd != nil || $0.failure != nil }
        })
        for client in clients {
            #expect(client.failure == nil)
            #expect(client.matchEnd == .playersReported)
            #expect(client.core.reportedMatchOver == Tick(ShortMatch.overAt - 1))
            let confirmed = try #require(client.session?.confirmedNext.rawValue)
            #expect(confirmed >= ShortMatch.overAt && confirmed < 200, "confirmed up to \(confirmed)")
        }
    }

    /// `leave()` sends LEAVE then closes: the other player hears that the slot left (not that it
    /// disconnected) and plays on.
    @Test func aPlayerWhoLeavesIsAnnouncedAsLeftToTheOther() throws {
        let server = try TestBattleServer()
        defer { server.stop() }
        let room = try server.admin.createRoom(["players": 2, "tickRate": 60, "maxTicks": 6000, "seed": 5])
        let clients = try (0..<2).map { slot in
            try Self.client(ArenaSimulation.self, server: server, room: room, slot: slot) { players, seed in
                try ArenaSimulation(players: players, seed: seed)
            }
        }
        defer { for client in clients { client.close() } }
        for client in clients { client.connect() }
        var left = false
        var events: [ClientEvent] = []
        #expect(eventually(30) {
            for client in clients { events += client.poll() }
            if !left, let tick = clients[0].session?.confirmedNext, tick.rawValue >= 30 {
                clients[0].leave()
                left = true
            }
            return events.contains {
                if case .room(.left(let slot), _, _) = $0 { slot == PlayerSlot(0) } else { false }
            }
        })
        #expect(clients[0].failure == nil)
        #expect(clients[1].failure == nil)
    }
}
