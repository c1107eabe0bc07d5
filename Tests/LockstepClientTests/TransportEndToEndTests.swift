import LockstepBots
import LockstepCore
import LockstepReplay
import LockstepSimulation
import LockstepTesting
import Testing

@testable import LockstepClient
import LockstepClientEventLoop

/// Both transports carry whole matches against the real in-process server.
@Suite(.serialized) struct TransportEndToEndTests {
    enum Kind: String, CaseIterable, Sendable {
        case eventLoop
        case socket
    }

    static func makeTransport(_ kind: Kind, _ configuration: ClientConfiguration, server: TestBattleServer) -> any ClientTransport {
        switch kind {
        case .eventLoop: EventLoopClientTransport(configuration: configuration, loop: server.clientLoops.next())
        case .socket: SocketTransport(configuration: configuration)
        }
    }

    /// Two players polled from the test's thread play 180 ticks; one loses its connection
    /// mid-match and reconnects; both end on the hash the verifier computes from the server's replay.
    @Test(arguments: Kind.allCases)
    func aWholeMatchWithAReconnectEndsOnTheServerReplaysHash(kind: Kind) throws {
        let server = try TestBattleServer()
        defer { server.stop() }
        let room = try server.admin.createRoom(["players": 2, "tickRate": 60, "maxTicks": 180, "seed": 11, "hashInterval": 30])
        let clients = (0..<2).map { slot in
            let configuration = ClientConfiguration(port: server.port, room: room.roomID, token: room.tokens[slot])
            let client = LockstepClient<ArenaSimulation>(
                configuration: configuration, transport: Self.makeTransport(kind, configuration, server: server)
            ) { players, seed in try ArenaSimulation(players: players, seed: seed) }
            client.inputSource = BotRunner.inputs(seed: 11, slot: slot)
            return client
        }
        defer { for client in clients { client.close() } }
        for client in clients { client.connect() }
        var dropped = false
        var events: [ClientEvent] = []
        #expect(eventually(30) {
            for client in clients { events += client.poll() }
            if !dropped, let tick = clients[1].session?.confirmedNext, tick.rawValue >= 60 {
                clients[1].simulateConnectionLoss()
                dropped = true
            }
            return clients.allSatisfy { $0.matchEnd != nil || $0.failure != nil }
        })
        let finalHash = try BotMatchEndToEndTests.finalHashFromServerReplay(server, room: room.roomID)
        for client in clients {
            #expect(client.matchEnd == .tickLimit)
            #expect(client.failure == nil)
            #expect(client.session?.confirmedNext == Tick(180))
            #expect(client.session?.confirmed.hash() == finalHash)
            #expect(client.desyncs.isEmpty)
        }
        #expect(clients[1].reconnects == 1)
        #expect(events.contains { if case .reconnecting = $0 { true } else { false } })
    }

    /// A server that is not there: the socket transport reports the failed connect, and the
    /// client gives up once its policy's attempts are spent.
    @Test func theSocketTransportReportsAConnectionRefusedAndTheClientGivesUp() throws {
        let server = try TestBattleServer()
        let port = server.port
        server.stop()
        var configuration = ClientConfiguration(port: port, token: "t")
        configuration.reconnectPolicy = ReconnectPolicy(baseNanos: 1_000_000, maximumNanos: 2_000_000, maxAttempts: 2)
        let client = LockstepClient<ArenaSimulation>(configuration: configuration, transport: SocketTransport(configuration: configuration)) {
            players, seed in try ArenaSimulation(players: players, seed: seed)
        }
        defer { client.close() }
        client.connect()
        #expect(eventually(10) {
            client.poll()
            return client.failure != nil
        })
        #expect(client.failure == .gaveUp(attempts: 2, lastCloseCode: 1006))
    }
}
