import LockstepCore
import LockstepReplay
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
import LockstepBots

@Suite(.serialized) struct AsyncStyleTests {
    /// A spectator follows a bot match with the async style: the events arrive in order, the stream
    /// ends with the match, and the scoped connection is closed when the scope ends.
    @Test func aSpectatorFollowsAMatchThroughTheEventStreamAndTheScopeClosesIt() async throws {
        let server = try TestBattleServer()
        defer { server.stop() }
        // The bots join from the event loop below, which runs on Swift's cooperative threads: on a
        // 2-core machine the synchronous tests beside it can hold both for a minute, longer than the
        // default start timeout. The room waits for them as long as the test may take.
        let room = try server.admin.createRoom(["players": 2, "tickRate": 60, "maxTicks": 120, "seed": 3, "startTimeoutSeconds": 600])
        let runner = try BotRunner(options: BotRunner.Options(port: server.port, adminKey: server.adminKey))
        defer { runner.stop() }
        let loop = server.clientLoops.next()
        let configuration = ClientConfiguration(port: server.port, room: room.roomID, token: room.spectatorToken)
        var seen: [ClientEvent] = []
        var position: Double?
        let ticks = try await LockstepClient<ArenaSimulation>.withConnection(configuration: configuration, loop: loop, simulation: { players, seed in
            try ArenaSimulation(players: players, seed: seed)
        }) { client in
            for await event in client.events() {
                seen.append(event)
                // The bots join once the spectator is seated, so it sees the match start.
                if case .welcome = event {
                    for slot in 0..<2 { try runner.addBot(room: room.roomID, slot: slot, token: room.tokens[slot], seed: 3) }
                }
                if position == nil { position = client.tickPosition() }
            }
            return Int(client.session?.confirmedNext.rawValue ?? 0)
        }
        #expect(ticks == 120, "\(seen)")
        #expect(seen.first.map { if case .welcome(let welcome) = $0 { welcome.role == .spectator } else { false } } == true)
        #expect(seen.contains { if case .room(.matchStart, _, _) = $0 { true } else { false } })
        #expect(seen.contains { if case .room(.matchEnd(.tickLimit), _, _) = $0 { true } else { false } })
        #expect(position != nil)
        #expect(runner.wait())
    }

    /// Two players each play a whole match through `events()` on the socket transport: the
    /// wake-ups the transport delivers (arrivals and the core's tick deadlines) are all that drive
    /// them, and both end on the hash the verifier computes from the server's replay.
    @Test func twoPlayersPlayAWholeMatchDrivenOnlyByTheTransportsWakeUps() async throws {
        let server = try TestBattleServer()
        defer { server.stop() }
        let room = try server.admin.createRoom([
            "players": 2, "tickRate": 60, "maxTicks": 150, "seed": 21, "hashInterval": 30, "startTimeoutSeconds": 600,
        ])
        let hashes = try await withThrowingTaskGroup(of: (UInt64, MatchEndReason?, Int).self) { group in
            for slot in 0..<2 {
                group.addTask {
                    let configuration = ClientConfiguration(port: server.port, room: room.roomID, token: room.tokens[slot])
                    return try await LockstepClient<ArenaSimulation>.withConnection(
                        configuration: configuration, transport: SocketTransport(configuration: configuration),
                        simulation: { players, seed in try ArenaSimulation(players: players, seed: seed) }
                    ) { client in
                        client.inputSource = BotRunner.inputs(seed: 21, slot: slot)
                        var events = 0
                        for await _ in client.events() { events += 1 }
                        return (client.session?.confirmed.hash() ?? 0, client.matchEnd, Int(client.session?.confirmedNext.rawValue ?? 0))
                    }
                }
            }
            var results: [(UInt64, MatchEndReason?, Int)] = []
            for try await result in group { results.append(result) }
            return results
        }
        let finalHash = try BotMatchEndToEndTests.finalHashFromServerReplay(server, room: room.roomID)
        #expect(hashes.count == 2)
        for (hash, end, ticks) in hashes {
            #expect(ticks == 150)
            #expect(end == .tickLimit)
            #expect(hash == finalHash)
        }
    }

    @Test func tickPositionAdvancesOneTickPerPeriod() throws {
        let server = try TestBattleServer()
        defer { server.stop() }
        let room = try server.admin.createRoom(["players": 2, "tickRate": 50, "maxTicks": 500])
        let runner = try BotRunner(options: BotRunner.Options(port: server.port, adminKey: server.adminKey))
        defer { runner.stop() }
        for slot in 0..<2 { try runner.addBot(room: room.roomID, slot: slot, token: room.tokens[slot], seed: 3) }
        let client = LockstepClient<ArenaSimulation>(
            configuration: ClientConfiguration(port: server.port, room: room.roomID, token: room.spectatorToken), loop: server.clientLoops.next()
        ) { players, seed in try ArenaSimulation(players: players, seed: seed) }
        client.connect()
        defer { client.close() }
        // Poll until the schedule is known, then compare two instants 100 ms apart.
        let start = MonotonicInstant.now().nanoseconds
        while client.tickPosition() == nil, MonotonicInstant.now().nanoseconds - start < 5_000_000_000 {
            client.poll()
            usleep(2000)
        }
        let base = try #require(client.tickPosition(now: start + 2_000_000_000))
        let later = try #require(client.tickPosition(now: start + 2_100_000_000))
        #expect(abs((later - base) - 5.0) < 0.01)  // 100 ms at 50 Hz
    }
}
