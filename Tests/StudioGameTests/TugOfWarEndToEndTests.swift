import LockstepClient
import LockstepClientEventLoop
import LockstepCore
import LockstepReplay
import LockstepTesting
import Testing
import TugOfWarGame

/// What a studio does with its own game (issue 15): the tug of war, a game from outside the
/// package's modules, played through the real server by two `LockstepClient`s, one on each
/// transport (slot 0 the portable socket transport, slot 1 the event-loop transport), joined with
/// the admin API's `url`, through public API only.
@Suite(.serialized) struct TugOfWarEndToEndTests {
    /// A desync announcement a client saw: (slot, tick, agreed hash, the slot's hash, detail).
    typealias Desync = (slot: PlayerSlot, tick: Tick, expected: UInt64, actual: UInt64, detail: String)

    /// The tug of war alone: what the studio's server and verifier are given.
    static var registry: SimulationRegistry {
        var registry = SimulationRegistry()
        registry.register(TugOfWar.self)
        return registry
    }

    struct Match {
        var room: AdminClient.CreatedRoom
        var clients: [LockstepClient<TugOfWar>]
        /// The desyncs each client was told of, in order.
        var desyncs: [[Desync]]
        var replay: Replay
    }

    /// Plays a two-player room of 240 ticks (hash every 30: checkpoints 29, 59, …, 239) on
    /// `server` to its end; the game of slot `perturbed` (if any) diverges at tick 45, so its
    /// first divergent checkpoint is tick 59. With `latency`, the event-loop player's messages
    /// take 40 ms ± 20 ms each way.
    static func play(on server: TestBattleServer, seed: Int, perturbed: Int?, latency: Bool = false) throws -> Match {
        let room = try server.admin.createRoom([
            "players": 2, "simulation": TugOfWar.simulationID, "simulationVersion": Int(TugOfWar.simulationVersion), "tickRate": 120,
            "inputDelay": 2, "maxTicks": 240, "seed": seed, "hashInterval": 30,
        ])
        let clients = try (0..<2).map { slot in
            var configuration = try ClientConfiguration(url: room.url, token: room.tokens[slot])
            if latency && slot == 1 {
                configuration.addedLatencyNanos = 40_000_000
                configuration.addedJitterNanos = 20_000_000
                configuration.seed = UInt64(seed)
            }
            let transport: any ClientTransport =
                slot == 0
                ? SocketTransport(configuration: configuration) : EventLoopClientTransport(configuration: configuration, loop: server.clientLoops.next())
            return LockstepClient<TugOfWar>(configuration: configuration, transport: transport) { players, seed in
                var game = try TugOfWar(players: players, seed: seed)
                if slot == perturbed { game.perturb(atTick: 45) }
                return game
            }
        }
        defer { for client in clients { client.close() } }
        for client in clients { client.connect() }
        var desyncs: [[Desync]] = [[], []]
        var frame = 0
        #expect(eventually(30) {
            frame += 1
            for (slot, client) in clients.enumerated() {
                // A game loop: the input the player holds now (how hard it pulls, 0–3).
                client.currentInput = [UInt8((frame / 5 + slot * 3) % 4)]
                for event in client.poll() {
                    if case .room(.desync(let who, let tick, let expected, let actual), _, let detail) = event {
                        desyncs[slot].append((who, tick, expected, actual, detail))
                    }
                }
            }
            return clients.allSatisfy { $0.matchEnd != nil || $0.failure != nil }
        })
        for client in clients {
            #expect(client.failure == nil)
            #expect(client.matchEnd == .tickLimit)
            #expect(client.session?.confirmedNext == Tick(240))
        }
        let path = server.replayDirectory + "/\(room.roomID).lsr"
        #expect(eventually(10) { (try? ReplayReader.read(try readReplayFile(path)))?.footer != nil })
        return Match(room: room, clients: clients, desyncs: desyncs, replay: try ReplayReader.read(try readReplayFile(path)))
    }

    static func finalHash(_ client: LockstepClient<TugOfWar>) -> UInt64? { client.session?.confirmed.hash() }

    /// The server runs the game: both clients end on the hash the server recorded and the
    /// verifier computes through the registry, one of them 40 ms ± 20 ms away; nobody is announced.
    @Test func bothTransportsPlayTheStudiosGameToTheServersHashAndTheReplayVerifies() throws {
        let server = try TestBattleServer(simulations: Self.registry)
        defer { server.stop() }
        let match = try Self.play(on: server, seed: 21, perturbed: nil, latency: true)
        let report = try ReplayVerifier.verify(match.replay, using: Self.registry)
        #expect(report.isOK && report.isFinalHashRecorded && report.ticks == 240 && report.checkpointsChecked == 9)
        #expect(match.replay.footer?.finalHash == report.finalHash)
        for client in match.clients { #expect(Self.finalHash(client) == report.finalHash) }
        #expect(match.desyncs.allSatisfy { $0.isEmpty })
        #expect(match.clients.allSatisfy { $0.desyncs.isEmpty })
    }

    /// The server runs the game and decides alone: the diverging player (the event-loop one) is
    /// the one announced, once, at its first divergent checkpoint, with the server's hash as the
    /// agreed one; the honest player ends on the replay's hash, and the replay verifies.
    @Test func aDivergingPlayerOfARegisteredGameIsTheOneAnnouncedOnce() throws {
        let server = try TestBattleServer(simulations: Self.registry)
        defer { server.stop() }
        let match = try Self.play(on: server, seed: 22, perturbed: 1)
        let report = try ReplayVerifier.verify(match.replay, using: Self.registry)
        #expect(report.isOK && report.isFinalHashRecorded)
        #expect(Self.finalHash(match.clients[0]) == report.finalHash)
        #expect(Self.finalHash(match.clients[1]) != report.finalHash)
        let serverHashAt59 = match.replay.checkpoints.first { $0.tick == Tick(59) }?.hash
        for seen in match.desyncs {
            #expect(seen.count == 1, "\(seen)")
            #expect(seen.first?.slot == PlayerSlot(1) && seen.first?.tick == Tick(59) && seen.first?.detail == "")
            #expect(seen.first?.expected == serverHashAt59 && seen.first?.actual != serverHashAt59)
        }
        #expect(match.clients[0].desyncs.isEmpty && match.clients[1].desyncs.count == 1)
    }

    /// A game the server does not run (relayed) with two players: one diverging player leaves no
    /// majority, so each player is announced once, undecided (agreed hash 0, "no majority"), and
    /// nobody is blamed (docs/PROTOCOL.md: a two-player game needs a simulation the server runs
    /// for attribution). The replay keeps the checkpoints the players agreed on and no final hash
    /// (the server never had it); a verifier that has the game checks it and says so.
    @Test func aTwoPlayerRelayedGameAnnouncesADivergenceOnceAsNoMajority() throws {
        let server = try TestBattleServer()  // the arena only: the tug of war is relayed
        defer { server.stop() }
        let match = try Self.play(on: server, seed: 23, perturbed: 1)
        let summary = try #require(try server.admin.request("GET", "/v1/rooms/\(match.room.roomID)").json)
        #expect(summary["serverSimulates"] as? Bool == false)
        for seen in match.desyncs {
            // Both slots, once each, at tick 59, and never again at the six checkpoints after it.
            #expect(seen.map(\.slot).sorted() == [PlayerSlot(0), PlayerSlot(1)], "\(seen)")
            #expect(seen.allSatisfy { $0.tick == Tick(59) && $0.expected == 0 && $0.detail == "no majority" })
        }
        #expect(match.replay.checkpoints.map(\.tick) == [Tick(29)])
        #expect(match.replay.footer?.finalHash == 0)
        let report = try ReplayVerifier.verify(match.replay, using: Self.registry)
        #expect(report.isOK && !report.isFinalHashRecorded && report.ticks == 240)
        #expect(Self.finalHash(match.clients[0]) == report.finalHash)
        #expect(Self.finalHash(match.clients[1]) != report.finalHash)
    }
}
