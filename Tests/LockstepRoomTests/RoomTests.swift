import CAllocationCounter
import LockstepCore
import LockstepProtocol
import LockstepReplay
import LockstepSimulation
import Testing
@testable import LockstepRoom

@Suite struct RoomTests {
    static let period: UInt64 = 1_000_000_000 / 30

    static func makeRoom(
        players: Int = 4, output: RecordingOutput, maxTicks: Int = 300, spectatorDelay: Int = 0, minPlayers: Int? = nil,
        desyncPolicy: DesyncPolicy = .report, rollbackCapacity: Int? = nil, simulationID: String = "lockstep.arena"
    ) throws -> Room {
        let input = try InputCollectorConfiguration(slotCount: players, leadWindow: 16, latePolicy: .drop, missingPolicy: .repeatLast)
        let settings = try RoomSettings(
            roomID: "r1", players: players, tickRate: try TickRate(hertz: 30), inputDelay: 2, input: input,
            simulationID: simulationID, seed: 7, maxTicks: maxTicks, hashInterval: 30, desyncPolicy: desyncPolicy,
            spectatorDelay: spectatorDelay, minPlayers: minPlayers, startTimeoutNanos: 5_000_000_000,
            rollbackCapacity: rollbackCapacity, startDelayNanos: 0)
        return try Room(settings: settings, output: output, now: 0, simulations: .reference)
    }

    static func input(_ room: Room, _ connection: ConnectionID, tick: Tick, slot: Int, payload: [UInt8], now: UInt64) {
        var writer = WireWriter()
        ClientMessageEncoder.input(tick: tick, slot: PlayerSlot(UInt8(slot)), payload: payload, into: &writer)
        writer.bytes.withUnsafeBytes { raw in
            if let message = try? ClientMessage.decode(raw) { room.receive(message, from: connection, now: now) }
        }
    }

    /// Drives a room tick by tick with every connected player sending its bot input `inputDelay` ahead.
    static func play(
        _ room: Room, ticks: Int, connections: [Int: ConnectionID], bots: inout [ArenaBot], skip: (Int, Int) -> Bool = { _, _ in false }
    ) -> UInt64 {
        var now: UInt64 = room.nextWakeup ?? 0
        for _ in 0..<ticks {
            guard room.phase == .running else { break }
            let target = room.nextTick.advanced(by: 2)
            for (slot, connection) in connections.sorted(by: { $0.key < $1.key }) where !skip(Int(target.rawValue), slot) {
                input(room, connection, tick: target, slot: slot, payload: bots[slot].nextInput().payload, now: now)
            }
            now = room.nextWakeup ?? now
            room.advance(now: now)
        }
        return now
    }

    @Test func fourPlayersReceiveEveryTickOnceInOrderWithIdenticalContents() throws {
        let output = RecordingOutput()
        let room = try Self.makeRoom(output: output)
        let connections = (0..<4).map { ConnectionID(UInt64(10 + $0)) }
        for (slot, connection) in connections.enumerated() {
            try room.join(connection, as: .player(PlayerSlot(UInt8(slot))), lastTick: nil, now: 0)
        }
        #expect(room.phase == .running)
        var bots = (0..<4).map { ArenaBot(seed: 7, slot: $0) }
        var sent: [[UInt8]] = []  // (tick, slot) -> payload, recorded by the bots' order
        _ = sent
        sent = []
        _ = Self.play(room, ticks: 400, connections: Dictionary(uniqueKeysWithValues: connections.enumerated().map { ($0.offset, $0.element) }), bots: &bots)
        #expect(room.phase == .ended && room.endReason == .tickLimit)
        let reference = output.framesReceived(by: connections[0])
        #expect(reference.map(\.tick.rawValue) == Array(0..<300))
        for connection in connections { #expect(output.framesReceived(by: connection) == reference) }
        // Ticks 0 and 1 had no input (input delay 2): filled; every later slot arrived on time.
        for frame in reference.dropFirst(2) { #expect((0..<4).allSatisfy { frame.status(of: $0) == .onTime }) }
        // Each input is in the frame of the tick it was meant for: replay the bots and compare.
        var replayBots = (0..<4).map { ArenaBot(seed: 7, slot: $0) }
        for frame in reference.dropFirst(2) {
            for slot in 0..<4 { #expect(Array(frame.payload(of: slot)) == replayBots[slot].nextInput().payload) }
        }
        #expect(output.frames == reference)
        #expect(output.ended?.0 == .tickLimit)
        #expect(output.checkpoints.count == 10)
        for connection in connections { #expect(output.closed[connection] == 1000) }
    }

    @Test func aStalledPlayerIsFilledByThePolicyAndMarkedWhileOthersKeepTheSchedule() throws {
        let output = RecordingOutput()
        let room = try Self.makeRoom(players: 2, output: output, maxTicks: 100)
        let a = ConnectionID(1), b = ConnectionID(2)
        try room.join(a, as: .player(PlayerSlot(0)), lastTick: nil, now: 0)
        try room.join(b, as: .player(PlayerSlot(1)), lastTick: nil, now: 0)
        var bots = [ArenaBot(seed: 1, slot: 0), ArenaBot(seed: 1, slot: 1)]
        // Slot 1 stalls for ticks 40..<60.
        _ = Self.play(room, ticks: 100, connections: [0: a, 1: b], bots: &bots) { tick, slot in slot == 1 && (40..<60).contains(tick) }
        let frames = output.framesReceived(by: a)
        #expect(frames.count == 100)
        for tick in 40..<60 {
            #expect(frames[tick].status(of: 1) == .missingFilled)
            #expect(frames[tick].payload(of: 1) == frames[39].payload(of: 1))  // repeat-last
            #expect(frames[tick].status(of: 0) == .onTime)
        }
        #expect(frames[60].status(of: 1) == .onTime)
    }

    @Test func aPlayerWhoReconnectsWithItsLastTickMissesNothing() throws {
        let output = RecordingOutput()
        let room = try Self.makeRoom(players: 2, output: output, maxTicks: 200, rollbackCapacity: 64)
        let a = ConnectionID(1), b = ConnectionID(2), b2 = ConnectionID(3), b3 = ConnectionID(4)
        try room.join(a, as: .player(PlayerSlot(0)), lastTick: nil, now: 0)
        try room.join(b, as: .player(PlayerSlot(1)), lastTick: nil, now: 0)
        var bots = [ArenaBot(seed: 1, slot: 0), ArenaBot(seed: 1, slot: 1)]
        _ = Self.play(room, ticks: 50, connections: [0: a, 1: b], bots: &bots)
        let lastHeld = output.framesReceived(by: b).last?.tick
        room.connectionClosed(b, now: 0)
        _ = Self.play(room, ticks: 30, connections: [0: a], bots: &bots)
        // Back within the ring: frames after its last tick come from memory.
        try room.join(b2, as: .player(PlayerSlot(1)), lastTick: lastHeld, now: 0)
        _ = Self.play(room, ticks: 40, connections: [0: a, 1: b2], bots: &bots)
        let before = output.framesReceived(by: b)
        let after = output.framesReceived(by: b2)
        #expect((before + after).map(\.tick.rawValue) == Array(0..<120))
        #expect(before + after == output.framesReceived(by: a))
        let frames = output.framesReceived(by: a)
        #expect(frames[60].status(of: 1) == .disconnected)
        // Away longer than the 64-tick ring: the older frames come from "disk".
        room.connectionClosed(b2, now: 0)
        _ = Self.play(room, ticks: 70, connections: [0: a], bots: &bots)
        try room.join(b3, as: .player(PlayerSlot(1)), lastTick: Tick(119), now: 0)
        #expect(output.diskRequests.count == 1)
        output.completeDiskReads(room, now: 0)
        #expect(output.framesReceived(by: b3).map(\.tick.rawValue) == Array(120..<190))
        #expect(output.events.contains { $0.kind == .reconnect && $0.slot == PlayerSlot(1) })
    }

    /// A connection closing from inside a tick's broadcast (a slow reader over its cap) must not
    /// change what the tick keeps for catch-up: a player reconnecting later gets the same frames.
    @Test func aCloseDuringATicksBroadcastLeavesTheCatchUpFramesIntact() throws {
        let output = RecordingOutput()
        let room = try Self.makeRoom(players: 2, output: output, maxTicks: 200, rollbackCapacity: 64)
        let a = ConnectionID(1), b = ConnectionID(2), b2 = ConnectionID(3)
        try room.join(a, as: .player(PlayerSlot(0)), lastTick: nil, now: 0)
        try room.join(b, as: .player(PlayerSlot(1)), lastTick: nil, now: 0)
        var bots = [ArenaBot(seed: 3, slot: 0), ArenaBot(seed: 3, slot: 1)]
        _ = Self.play(room, ticks: 20, connections: [0: a, 1: b], bots: &bots)
        let lastHeld = output.framesReceived(by: b).last?.tick
        output.duringNextFrameBroadcast = { room.connectionClosed(b, now: 0) }
        _ = Self.play(room, ticks: 10, connections: [0: a], bots: &bots)
        #expect(output.duringNextFrameBroadcast == nil)
        try room.join(b2, as: .player(PlayerSlot(1)), lastTick: lastHeld, now: 0)
        let caughtUp = output.framesReceived(by: b2)
        let seenByA = output.framesReceived(by: a).filter { $0.tick > (lastHeld ?? .zero) }
        #expect(caughtUp.count == 10)
        #expect(caughtUp == seenByA)
    }

    @Test func catchUpBeyondTheRingWithNoReplayOnDiskIsReported() throws {
        let output = RecordingOutput()
        output.diskAvailable = false
        let room = try Self.makeRoom(players: 2, output: output, maxTicks: 500, rollbackCapacity: 16)
        try room.join(ConnectionID(1), as: .player(PlayerSlot(0)), lastTick: nil, now: 0)
        try room.join(ConnectionID(2), as: .player(PlayerSlot(1)), lastTick: nil, now: 0)
        var bots = [ArenaBot(seed: 1, slot: 0), ArenaBot(seed: 1, slot: 1)]
        _ = Self.play(room, ticks: 40, connections: [0: ConnectionID(1), 1: ConnectionID(2)], bots: &bots)
        #expect(throws: ProtocolError.self) { try room.join(ConnectionID(3), as: .player(PlayerSlot(1)), lastTick: Tick(2), now: 0) }
    }

    /// In a two-player room of a game the server does not run, one diverging player leaves no
    /// majority: each player is announced once (detail "no majority"), not at every checkpoint.
    @Test func aNoMajorityDesyncIsAnnouncedOncePerPlayer() throws {
        let output = RecordingOutput()
        let room = try Self.makeRoom(players: 2, output: output, maxTicks: 600, simulationID: "custom.game")
        let a = ConnectionID(1), b = ConnectionID(2)
        try room.join(a, as: .player(PlayerSlot(0)), lastTick: nil, now: 0)
        try room.join(b, as: .player(PlayerSlot(1)), lastTick: nil, now: 0)
        var bots = [ArenaBot(seed: 2, slot: 0), ArenaBot(seed: 2, slot: 1)]
        var now: UInt64 = 0
        for checkpoint in 0..<16 {
            now = Self.play(room, ticks: 30, connections: [0: a, 1: b], bots: &bots)
            let tick = Tick(UInt32(checkpoint * 30 + 29))
            for (connection, hash) in [(a, UInt64(1000 + checkpoint)), (b, UInt64(2000 + checkpoint))] {
                var writer = WireWriter()
                ClientMessageEncoder.stateHash(tick: tick, hash: hash, into: &writer)
                writer.bytes.withUnsafeBytes { raw in
                    if let message = try? ClientMessage.decode(raw) { room.receive(message, from: connection, now: now) }
                }
            }
        }
        let desyncs = output.events.filter { $0.kind == .desync }
        #expect(desyncs.count == 2)
        #expect(Set(desyncs.compactMap(\.slot)) == [PlayerSlot(0), PlayerSlot(1)])
        #expect(desyncs.allSatisfy { $0.detail.contains("no majority") })
        #expect(room.statistics.desyncs == 2)
    }

    /// A join refused for want of frames changes nothing: before, the slot stayed seated and
    /// "connected" for good (no abandon, the arbiter waiting for its hashes).
    @Test func aRefusedJoinLeavesTheRoomExactlyAsItWas() throws {
        let output = RecordingOutput()
        output.diskAvailable = false
        let room = try Self.makeRoom(players: 2, output: output, maxTicks: 5000, rollbackCapacity: 16)
        let a = ConnectionID(1), b = ConnectionID(2)
        try room.join(a, as: .player(PlayerSlot(0)), lastTick: nil, now: 0)
        try room.join(b, as: .player(PlayerSlot(1)), lastTick: nil, now: 0)
        var bots = [ArenaBot(seed: 1, slot: 0), ArenaBot(seed: 1, slot: 1)]
        var now = Self.play(room, ticks: 40, connections: [0: a, 1: b], bots: &bots)
        room.connectionClosed(b, now: now)
        let eventsBefore = output.events.count
        let messagesToA = output.received[a]?.count ?? 0
        #expect(throws: ProtocolError.self) { try room.join(ConnectionID(3), as: .player(PlayerSlot(1)), lastTick: Tick(2), now: now) }
        #expect(throws: ProtocolError.self) { try room.join(ConnectionID(4), as: .spectator, lastTick: nil, now: now) }
        #expect(room.connectedPlayers == 1 && room.spectatorCount == 0)
        #expect(output.events.count == eventsBefore)
        #expect(output.received[a]?.count == messagesToA)
        now = Self.play(room, ticks: 10, connections: [0: a], bots: &bots)
        #expect(output.framesReceived(by: a).suffix(5).allSatisfy { $0.status(of: 1) == .disconnected })
        #expect(output.framesReceived(by: ConnectionID(3)).isEmpty)
        // With the last player gone the abandon timeout still ends it.
        room.connectionClosed(a, now: now)
        room.advance(now: now + 31_000_000_000)
        #expect(room.phase == .ended && room.endReason == .allPlayersGone)
    }

    /// A rejoin owed thousands of frames gets them in bounded batches while its queue has room,
    /// older ones from disk, and goes live once caught up: its queue never holds more than the
    /// limit plus one batch, and every frame arrives once, in order.
    @Test func aCatchUpIsPacedByWritabilityAndReadsOldFramesFromDisk() throws {
        let output = RecordingOutput()
        let room = try Self.makeRoom(players: 2, output: output, maxTicks: 100_000, rollbackCapacity: 300)
        let a = ConnectionID(1), b = ConnectionID(2), b2 = ConnectionID(3)
        try room.join(a, as: .player(PlayerSlot(0)), lastTick: nil, now: 0)
        try room.join(b, as: .player(PlayerSlot(1)), lastTick: nil, now: 0)
        var bots = [ArenaBot(seed: 5, slot: 0), ArenaBot(seed: 5, slot: 1)]
        var now = Self.play(room, ticks: 50, connections: [0: a, 1: b], bots: &bots)
        room.connectionClosed(b, now: now)
        now = Self.play(room, ticks: 5000, connections: [0: a], bots: &bots)
        // b2's queue holds 16 KiB before it reports itself full.
        output.queueLimit = 16 * 1024
        try room.join(b2, as: .player(PlayerSlot(1)), lastTick: nil, now: now)
        var rounds = 0
        while rounds < 10_000 {
            output.completeDiskReads(room, now: now)
            output.drain(b2)
            room.connectionWritable(b2, now: now)
            if room.liveTargets.contains(b2) { break }
            if rounds % 7 == 0 { now = Self.play(room, ticks: 1, connections: [0: a, 1: b2], bots: &bots) }
            rounds += 1
        }
        #expect(room.liveTargets.contains(b2))
        #expect(output.largestQueue <= 16 * 1024 + 256 * 64)
        now = Self.play(room, ticks: 20, connections: [0: a, 1: b2], bots: &bots)
        let seen = output.framesReceived(by: b2)
        #expect(seen.map(\.tick.rawValue) == Array(0..<room.nextTick.rawValue))
        #expect(seen == output.framesReceived(by: a))
    }

    @Test func aLateJoinerCatchesUpFromTickZero() throws {
        let output = RecordingOutput()
        let room = try Self.makeRoom(players: 3, output: output, maxTicks: 200, minPlayers: 2)
        try room.join(ConnectionID(1), as: .player(PlayerSlot(0)), lastTick: nil, now: 0)
        try room.join(ConnectionID(2), as: .player(PlayerSlot(1)), lastTick: nil, now: 0)
        #expect(room.phase == .waiting)
        room.advance(now: 5_000_000_000)  // start timeout with 2 of 3: starts
        #expect(room.phase == .running)
        var bots = (0..<3).map { ArenaBot(seed: 2, slot: $0) }
        _ = Self.play(room, ticks: 45, connections: [0: ConnectionID(1), 1: ConnectionID(2)], bots: &bots)
        try room.join(ConnectionID(3), as: .player(PlayerSlot(2)), lastTick: nil, now: 0)
        _ = Self.play(room, ticks: 20, connections: [0: ConnectionID(1), 1: ConnectionID(2), 2: ConnectionID(3)], bots: &bots)
        #expect(output.framesReceived(by: ConnectionID(3)) == output.framesReceived(by: ConnectionID(1)))
        #expect(output.framesReceived(by: ConnectionID(1))[10].status(of: 2) == .disconnected)
    }

    @Test func aStartTimeoutWithTooFewPlayersEndsTheRoom() throws {
        let output = RecordingOutput()
        let room = try Self.makeRoom(players: 2, output: output)
        try room.join(ConnectionID(1), as: .player(PlayerSlot(0)), lastTick: nil, now: 0)
        room.advance(now: 5_000_000_000)
        #expect(room.phase == .ended && output.ended?.0 == .startTimeout)
    }

    @Test(arguments: [(delay: 15, joinsAt: 0), (delay: 15, joinsAt: 200), (delay: 1, joinsAt: 50)])
    func aDelayedSpectatorGetsEveryFrameThenTheMatchEndThenTheClose(delay: Int, joinsAt: Int) throws {
        let output = RecordingOutput()
        let room = try Self.makeRoom(players: 2, output: output, maxTicks: 330, spectatorDelay: delay)
        let players = [0: ConnectionID(1), 1: ConnectionID(2)]
        for (slot, connection) in players { try room.join(connection, as: .player(PlayerSlot(UInt8(slot))), lastTick: nil, now: 0) }
        var bots = (0..<2).map { ArenaBot(seed: 7, slot: $0) }
        let spectator = ConnectionID(9)
        var now = Self.play(room, ticks: joinsAt, connections: players, bots: &bots)
        try room.join(spectator, as: .spectator, lastTick: nil, now: now)
        now = Self.play(room, ticks: 400, connections: players, bots: &bots)
        #expect(room.phase == .ended && room.endReason == .tickLimit)
        let seen = output.framesReceived(by: spectator)
        #expect(seen.map(\.tick.rawValue) == Array(0..<330))
        #expect(seen == output.framesReceived(by: ConnectionID(1)))
        // The match end comes after the last frame, and the close after that.
        let messages = output.received[spectator] ?? []
        let endIndex = try #require(messages.lastIndex { if case .event(.matchEnd, _, _) = $0 { true } else { false } })
        let lastFrameIndex = try #require(messages.lastIndex { if case .frame = $0 { true } else if case .frameBatch = $0 { true } else { false } })
        #expect(lastFrameIndex < endIndex)
        #expect(output.closed[spectator] == 1000)
    }

    @Test func spectatorsSeeTheSameFramesAndDelayedOnesLagBehind() throws {
        let output = RecordingOutput()
        let room = try Self.makeRoom(players: 2, output: output, maxTicks: 100, spectatorDelay: 10)
        try room.join(ConnectionID(1), as: .player(PlayerSlot(0)), lastTick: nil, now: 0)
        try room.join(ConnectionID(2), as: .player(PlayerSlot(1)), lastTick: nil, now: 0)
        var bots = [ArenaBot(seed: 3, slot: 0), ArenaBot(seed: 3, slot: 1)]
        _ = Self.play(room, ticks: 30, connections: [0: ConnectionID(1), 1: ConnectionID(2)], bots: &bots)
        try room.join(ConnectionID(9), as: .spectator, lastTick: nil, now: 0)
        #expect(output.framesReceived(by: ConnectionID(9)).count == 20)  // 30 confirmed, 10 behind
        _ = Self.play(room, ticks: 30, connections: [0: ConnectionID(1), 1: ConnectionID(2)], bots: &bots)
        let player = output.framesReceived(by: ConnectionID(1))
        let spectator = output.framesReceived(by: ConnectionID(9))
        #expect(spectator.count == player.count - 10)
        #expect(spectator == Array(player.prefix(spectator.count)))
        // A spectator cannot send inputs.
        Self.input(room, ConnectionID(9), tick: room.nextTick.advanced(by: 2), slot: 0, payload: [], now: 0)
        #expect(output.errors(for: ConnectionID(9)) == [ProtocolErrorCode.spectatorCannotSend.rawValue])
    }

    @Test func aClientReportingAWrongHashIsCaughtAtTheRightTickAndDroppedByPolicy() throws {
        let output = RecordingOutput()
        let room = try Self.makeRoom(players: 3, output: output, maxTicks: 200, desyncPolicy: .drop)
        let connections = (0..<3).map { ConnectionID(UInt64($0 + 1)) }
        for (slot, connection) in connections.enumerated() { try room.join(connection, as: .player(PlayerSlot(UInt8(slot))), lastTick: nil, now: 0) }
        // Each client re-simulates the frames it receives and reports every 30 ticks; slot 1 lies from tick 89.
        var simulations = try (0..<3).map { _ in try ArenaSimulation(players: 3, seed: 7) }
        var seen = [0, 0, 0]
        var bots = (0..<3).map { ArenaBot(seed: 4, slot: $0) }
        var now = room.nextWakeup ?? 0
        for _ in 0..<150 where room.phase == .running {
            let target = room.nextTick.advanced(by: 2)
            for slot in 0..<3 where output.closed[connections[slot]] == nil {
                Self.input(room, connections[slot], tick: target, slot: slot, payload: bots[slot].nextInput().payload, now: now)
            }
            now = room.nextWakeup ?? now
            room.advance(now: now)
            for slot in 0..<3 where output.closed[connections[slot]] == nil {
                let frames = output.framesReceived(by: connections[slot])
                while seen[slot] < frames.count {
                    let frame = frames[seen[slot]]
                    simulations[slot].step(frame)
                    seen[slot] += 1
                    if (Int(frame.tick.rawValue) + 1) % 30 == 0 {
                        let hash = simulations[slot].hash() ^ (slot == 1 && frame.tick.rawValue >= 89 ? 1 : 0)
                        room.receive(.stateHash(tick: frame.tick, hash: hash), from: connections[slot], now: now)
                    }
                }
            }
        }
        let desyncs = (output.received[connections[0]] ?? []).compactMap { message -> (PlayerSlot, Tick)? in
            if case .event(.desync(let slot, let tick, _, _), _, _) = message { return (slot, tick) }
            return nil
        }
        #expect(desyncs.count == 1)
        #expect(desyncs.first?.0 == PlayerSlot(1) && desyncs.first?.1 == Tick(89))
        #expect(output.closed[connections[1]] == ProtocolErrorCode.desyncDropped.closeCode)
        #expect(output.events.contains { $0.kind == .desync && $0.slot == PlayerSlot(1) })
        #expect(room.phase == .running || room.endReason == .tickLimit)
    }

    @Test func badInputsGetTheirDocumentedErrorsAndNothingElseChanges() throws {
        let output = RecordingOutput()
        let room = try Self.makeRoom(players: 2, output: output)
        let a = ConnectionID(1)
        try room.join(a, as: .player(PlayerSlot(0)), lastTick: nil, now: 0)
        try room.join(ConnectionID(2), as: .player(PlayerSlot(1)), lastTick: nil, now: 0)
        Self.input(room, a, tick: Tick(3), slot: 1, payload: [], now: 0)  // another slot
        Self.input(room, a, tick: Tick(500), slot: 0, payload: [], now: 0)  // beyond the lead window
        Self.input(room, a, tick: Tick(3), slot: 0, payload: Array(repeating: 1, count: 33), now: 0)  // oversize
        Self.input(room, a, tick: Tick(3), slot: 0, payload: [1], now: 0)
        Self.input(room, a, tick: Tick(3), slot: 0, payload: [1], now: 0)  // duplicate
        #expect(output.errors(for: a) == [20, 21, 24, 23])
        #expect(output.closed[a] == nil)
        #expect(room.statistics.inputErrors == 4)
    }

    @Test func aNewConnectionForTheSameSlotReplacesTheOldOne() throws {
        let output = RecordingOutput()
        let room = try Self.makeRoom(players: 2, output: output)
        try room.join(ConnectionID(1), as: .player(PlayerSlot(0)), lastTick: nil, now: 0)
        try room.join(ConnectionID(5), as: .player(PlayerSlot(0)), lastTick: nil, now: 0)
        #expect(output.closed[ConnectionID(1)] == ProtocolErrorCode.replacedByNewConnection.closeCode)
    }

    /// Per tick: inputs in, frame confirmed, encoded once, broadcast, kept in the ring, and (for a
    /// built-in simulation) re-simulated and hashed at checkpoints: no allocation once warm.
    @Test(arguments: ["custom.game", "lockstep.arena"])
    func confirmingATickAllocatesNothingInSteadyState(simulationID: String) throws {
        let output = RecordingOutput()
        output.decode = false
        let room = try Self.makeRoom(players: 4, output: output, maxTicks: 100_000, rollbackCapacity: 64, simulationID: simulationID)
        for slot in 0..<4 { try room.join(ConnectionID(UInt64(slot + 1)), as: .player(PlayerSlot(UInt8(slot))), lastTick: nil, now: 0) }
        let payload: [UInt8] = [1, 2, 3, 4, 5]
        var now = room.nextWakeup ?? 0
        func run(_ ticks: Int) {
            for _ in 0..<ticks {
                let target = room.nextTick.advanced(by: 2)
                payload.withUnsafeBytes { raw in
                    for slot in 0..<4 {
                        room.receive(.input(tick: target, slot: PlayerSlot(UInt8(slot)), payload: raw), from: ConnectionID(UInt64(slot + 1)), now: now)
                    }
                }
                now = room.nextWakeup ?? now
                room.advance(now: now)
            }
        }
        run(200)  // fill the ring once so every slot's storage exists
        let before = lockstep_thread_allocations()
        run(1000)
        let allocations = lockstep_thread_allocations() - before
        #expect(allocations == 0)
        #expect(room.statistics.ticks == 1200)
    }
}

@Suite struct RoomLifecycleTests {
    @Test func aMajorityReportingTheMatchOverEndsIt() throws {
        let output = RecordingOutput()
        let room = try RoomTests.makeRoom(players: 3, output: output, maxTicks: 10_000)
        for slot in 0..<3 { try room.join(ConnectionID(UInt64(slot + 1)), as: .player(PlayerSlot(UInt8(slot))), lastTick: nil, now: 0) }
        room.advance(now: room.nextWakeup ?? 0)
        room.receive(.matchOver(tick: Tick(0)), from: ConnectionID(1), now: 0)
        #expect(room.phase == .running)  // 1 of 3 is not a majority
        room.receive(.matchOver(tick: Tick(0)), from: ConnectionID(2), now: 0)
        #expect(room.phase == .ended && room.endReason == .playersReported)
        #expect(output.events.last?.kind == .matchEnd)
    }

    @Test func aRoomWithNoConnectedPlayerEndsAfterTheAbandonTimeout() throws {
        let output = RecordingOutput()
        let input = try InputCollectorConfiguration(slotCount: 2)
        let settings = try RoomSettings(
            roomID: "r", players: 2, tickRate: try TickRate(hertz: 10), input: input, abandonTimeoutNanos: 1_000_000_000, startDelayNanos: 0)
        let room = try Room(settings: settings, output: output, now: 0)
        try room.join(ConnectionID(1), as: .player(PlayerSlot(0)), lastTick: nil, now: 0)
        try room.join(ConnectionID(2), as: .player(PlayerSlot(1)), lastTick: nil, now: 0)
        room.connectionClosed(ConnectionID(1), now: 100_000_000)
        room.connectionClosed(ConnectionID(2), now: 100_000_000)
        room.advance(now: 900_000_000)
        #expect(room.phase == .running)  // disconnected players may come back for a while
        room.advance(now: 1_200_000_000)
        #expect(room.phase == .ended && room.endReason == .allPlayersGone)
    }

    @Test func leaveMarksTheSlotLeftAndItCannotRejoin() throws {
        let output = RecordingOutput()
        let room = try RoomTests.makeRoom(players: 2, output: output)
        try room.join(ConnectionID(1), as: .player(PlayerSlot(0)), lastTick: nil, now: 0)
        try room.join(ConnectionID(2), as: .player(PlayerSlot(1)), lastTick: nil, now: 0)
        room.receive(.leave, from: ConnectionID(2), now: 0)
        #expect(output.closed[ConnectionID(2)] == 1000)
        #expect(output.events.contains { $0.kind == .leave && $0.slot == PlayerSlot(1) })
        #expect(throws: ProtocolError.self) { try room.join(ConnectionID(3), as: .player(PlayerSlot(1)), lastTick: nil, now: 0) }
    }

    @Test func roomsStartOnTheirOwnPhaseOfThePeriod() throws {
        let period = try TickRate(hertz: 30).periodNanoseconds
        var epochs: [UInt64] = []
        for phase: UInt64 in [0, period / 3, period / 2] {
            let input = try InputCollectorConfiguration(slotCount: 1)
            let settings = try RoomSettings(
                roomID: "r", players: 1, tickRate: try TickRate(hertz: 30), input: input, simulationID: "custom", startDelayNanos: 0,
                phaseOffsetNanos: phase)
            let room = try Room(settings: settings, output: RecordingOutput(), now: 1_000_000_000)
            try room.join(ConnectionID(1), as: .player(PlayerSlot(0)), lastTick: nil, now: 1_000_000_000)
            let epoch = try #require(room.schedule?.epoch)
            #expect(epoch % period == phase)
            #expect(epoch >= 1_000_000_000 && epoch < 1_000_000_000 + period)
            epochs.append(epoch)
        }
        #expect(Set(epochs).count == 3)
    }
}

@Suite struct RoomHostileHashTests {
    /// Hash reports for ticks not yet confirmed are ignored: a client cannot occupy the arbiter's
    /// window with far-future checkpoints and block the honest reports.
    @Test func hashesForUnconfirmedTicksAreIgnoredAndArbitrationStillWorks() throws {
        let output = RecordingOutput()
        let room = try RoomTests.makeRoom(players: 3, output: output, maxTicks: 1000, simulationID: "custom.game")
        for slot in 0..<3 { try room.join(ConnectionID(UInt64(slot + 1)), as: .player(PlayerSlot(UInt8(slot))), lastTick: nil, now: 0) }
        // The attacker reports every checkpoint of the next 8 windows before they exist.
        for index in 0..<8 { room.receive(.stateHash(tick: Tick(UInt32(269 + index * 30)), hash: 1), from: ConnectionID(3), now: 0) }
        var now = room.nextWakeup ?? 0
        for _ in 0..<40 {
            now = room.nextWakeup ?? now
            room.advance(now: now)
        }
        // Tick 29 is decided from the honest reports: slot 2 lies and is caught.
        room.receive(.stateHash(tick: Tick(29), hash: 7), from: ConnectionID(1), now: now)
        room.receive(.stateHash(tick: Tick(29), hash: 7), from: ConnectionID(2), now: now)
        room.receive(.stateHash(tick: Tick(29), hash: 9), from: ConnectionID(3), now: now)
        #expect(output.checkpoints.contains { $0.tick == Tick(29) && $0.hash == 7 })
        #expect(output.events.contains { $0.kind == .desync && $0.slot == PlayerSlot(2) })
    }
}
