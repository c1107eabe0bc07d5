import LockstepCore
import LockstepEventLoop
import LockstepProtocol
import LockstepTesting
import Testing
import LockstepClient
import LockstepBench

#if canImport(Glibc)
    import Glibc
#endif

/// `lockstep serve --echo` as a child process (its resident memory is its own) under 200 clients
/// that send and never read: its memory stays under the bound docs/OPERATIONS.md states, a
/// well-behaved client is still served, and the memory is given back once they leave.
@Suite(.serialized) struct MemoryBoundTests {
    /// The most 200 never-reading clients may add to the server's resident memory
    /// (docs/OPERATIONS.md, "Memory"): 128 MiB, measured at 55 to 70 MiB.
    static let boundBytes = 128 << 20
    /// How close to its starting memory the server must come back once they left.
    static let returnedWithinBytes = 24 << 20

    static func startServer() throws -> ServerProcess {
        let executable = try #require(
            ServerProcess.siblingExecutable(), "the lockstep executable is built with the tests")
        return try ServerProcess(
            executable: executable,
            arguments: [
                "--echo", "--admin-key", "memory", "--token-secret", "memory-secret", "--replays",
                makeTemporaryDirectory("lockstep-memory"),
                "--log-level", "error", "--loops", "2",
            ])
    }

    /// Floods with `frame` from 200 clients and returns the outcome and the peak growth of the
    /// server's resident memory (the flood stops early once past the bound).
    static func flood(
        _ process: ServerProcess, path: String, subprotocol: String? = nil, frame: [UInt8], quietMilliseconds: Int = 500
    ) throws -> (outcome: NeverReadingClients.Outcome, growth: Int, clients: NeverReadingClients) {
        let baseline = residentBytes(of: process.pid)
        let clients = try NeverReadingClients(port: process.port, path: path, subprotocol: subprotocol, count: 200)
        var peak = residentBytes(of: process.pid)
        let outcome = clients.flood(frame: frame, quotaPerClient: 32 << 20, quietMilliseconds: quietMilliseconds) {
            peak = max(peak, residentBytes(of: process.pid))
            return peak - baseline < boundBytes
        }
        peak = max(peak, residentBytes(of: process.pid))
        return (outcome, peak - baseline, clients)
    }

    /// Waits (at most 10 s) until the server's memory is back within `returnedWithinBytes` of `baseline`.
    static func memoryReturns(_ process: ServerProcess, to baseline: Int) -> Bool {
        eventually(10) { residentBytes(of: process.pid) - baseline < returnedWithinBytes }
    }

    @Test func twoHundredNeverReadingEchoClientsCannotMakeTheServerBufferForThem() throws {
        let process = try Self.startServer()
        defer { process.stop() }
        let baseline = residentBytes(of: process.pid)
        let frame = NeverReadingClients.maskedFrame(.binary, payload: [UInt8](repeating: 7, count: 4096))
        let (outcome, growth, clients) = try Self.flood(process, path: "/echo", frame: frame)
        // Backpressure: the server stopped reading every one of them, and holds little for each.
        #expect(outcome.end == .stalled, "\(outcome)")
        #expect(growth < Self.boundBytes, "grew by \(growth >> 20) MiB")
        let probe = try WebSocketProbe(port: process.port)
        #expect(probe.roundTrip(Array("still served".utf8)) == Array("still served".utf8))
        clients.closeAll()
        #expect(
            Self.memoryReturns(process, to: baseline),
            "still \((residentBytes(of: process.pid) - baseline) >> 20) MiB over")
    }

    @Test func twoHundredPreHelloPingFloodsOnPlayAreCutOffWhileAMatchPlaysOn() throws {
        let process = try Self.startServer()
        defer { process.stop() }
        let admin = AdminClient(port: process.port, adminKey: "memory")
        let room = try admin.createRoom(["players": 2, "tickRate": 30, "maxTicks": 100_000])
        let loops = try EventLoopGroup(count: 1)
        defer { loops.shutdown() }
        var players: [TestGameClient] = []
        for slot in 0..<2 {
            let player = try TestGameClient(port: process.port, room: room.roomID, loop: loops.next())
            player.play(as: PlayerSlot(UInt8(slot))) { _ in [UInt8(slot), 0, 0, 0, 0] }
            player.hello(token: room.tokens[slot])
            players.append(player)
        }
        #expect(players[0].waitForFrames(10))
        let baseline = residentBytes(of: process.pid)
        let ping = NeverReadingClients.maskedFrame(.ping, payload: [UInt8](repeating: 0x70, count: 125))
        // No "stalled" verdict after half a second of no byte taken: the server reads the 200
        // floods a little of each in turn, so for a while no socket's TCP window opens and none
        // seems read, though all are. What counts is that every flooder is closed, whatever the load.
        let (outcome, growth, clients) = try Self.flood(
            process, path: "/v1/play", subprotocol: "lockstep.v1", frame: ping, quietMilliseconds: 10_000)
        // Pings count against the pre-HELLO budget: every flooder is closed, the server holds nothing for them.
        #expect(outcome.end == .finished && outcome.closedByServer == 200, "\(outcome)")
        #expect(growth < Self.boundBytes, "grew by \(growth >> 20) MiB")
        let seen = players[0].frames.count
        #expect(players[0].waitForFrames(seen + 30))
        clients.closeAll()
        #expect(Self.memoryReturns(process, to: baseline))
    }

    /// The value of an unlabeled sample in Prometheus text.
    static func sample(_ name: String, in text: String) -> UInt64? {
        text.split(separator: "\n").first { $0.hasPrefix(name + " ") }.flatMap { UInt64($0.split(separator: " ")[1]) }
    }

    @Test func overTheOutboundBudgetTheLargestHoldersAreClosedWithALogLineAndAMetric() throws {
        let budget = 1 << 20
        let server = try TestBattleServer(echo: true) { _, network in network.outboundBudgetBytes = budget }
        defer { server.stop() }
        let clients = try NeverReadingClients(port: server.port, path: "/echo", count: 20)
        let frame = NeverReadingClients.maskedFrame(.binary, payload: [UInt8](repeating: 7, count: 4096))
        // Each client can make the server hold up to its 256 KiB watermark: 20 of them pass 1 MiB.
        _ = clients.flood(frame: frame, quotaPerClient: 8 << 20)
        var text = ""
        _ = try eventually(10) {
            text = String(decoding: try server.admin.request("GET", "/metrics").body, as: UTF8.self)
            guard let held = Self.sample("lockstep_outbound_bytes_held", in: text) else { return false }
            return held <= UInt64(budget) && (Self.sample("lockstep_outbound_budget_closes_total", in: text) ?? 0) > 0
        }
        #expect(Self.sample("lockstep_outbound_budget_bytes", in: text) == UInt64(budget))
        #expect((Self.sample("lockstep_outbound_budget_closes_total", in: text) ?? 0) > 0)
        #expect((Self.sample("lockstep_outbound_bytes_held", in: text) ?? .max) <= UInt64(budget))
        #expect(
            server.logLines.all.contains { $0.contains("event=outbound_budget_exceeded") && $0.contains("code=1008") })
        // The server holds at most its budget now, and still serves a well-behaved client.
        let probe = try WebSocketProbe(port: server.port)
        #expect(probe.roundTrip([1, 2, 3]) == [1, 2, 3])
    }

    /// A seated player who stops reading is held to the play endpoint's outbound cap (set small
    /// here: 64 KiB) and closed as a slow reader, while the other players keep getting frames.
    /// The sleeper shrinks its socket buffers (`StalledReader`), so the server's queue fills in a
    /// second or two; the readers have a second of frames of slack under the same cap, which a
    /// loaded machine's client loop does not exhaust.
    @Test func aSeatedPlayerWhoNeverReadsIsClosedAtThePlayEndpointsCap() throws {
        let server = try TestBattleServer { battle, _ in
            battle.playOutboundLimits = OutboundLimits(highWatermark: 16 * 1024, lowWatermark: 4 * 1024, cap: 64 * 1024)
        }
        defer { server.stop() }
        let room = try server.admin.createRoom([
            "players": 4, "tickRate": 60, "payloadLimit": 256, "simulation": "test.opaque", "simulationVersion": 1,
            "maxTicks": 100_000,
        ])
        var readers: [TestGameClient] = []
        for slot in 0..<3 {
            let reader = try server.client(room: room.roomID)
            reader.play(as: PlayerSlot(UInt8(slot))) { _ in [UInt8](repeating: 0xAB, count: 256) }
            reader.hello(token: room.tokens[slot])
            readers.append(reader)
        }
        let reader = readers[0]
        let sleeper = try StalledReader(port: server.port, token: room.tokens[3])
        var slowReader: String?
        #expect(eventually(30) {
            slowReader = server.logLines.all.first { $0.contains("event=slow_reader") }
            return slowReader != nil
        })
        let line = try #require(slowReader)
        let queued = line.split(separator: " ").first { $0.hasPrefix("queued=") }.flatMap { Int($0.dropFirst(7)) }
        #expect((queued ?? .max) <= 64 * 1024, "\(line)")
        #expect(sleeper.drainUntilClosed())
        let seen = reader.frames.count
        #expect(
            reader.waitForFrames(seen + 60),
            "frames \(seen) then \(reader.frames.count), errors \(reader.errorCodes)")
        #expect(readers.allSatisfy { $0.closeCode == nil })
    }
}
