import CAllocationCounter
import LockstepBots
import LockstepCore
import LockstepProtocol
import LockstepReplay
import LockstepSimulation
import Testing

@testable import LockstepRoom

/// Bot seats in the room state machine: joined from the start, an on-time input every tick from
/// the re-simulated state, never keeping a room alive.
@Suite struct RoomBotSeatTests {
    static func makeRoom(players: Int, bots: [Int], output: RecordingOutput, maxTicks: Int = 300) throws -> Room {
        var registry = SimulationRegistry()
        registry.register(ArenaSimulation.self, bot: ArenaSeatBot.factory)
        let input = try InputCollectorConfiguration(slotCount: players, leadWindow: 16, latePolicy: .drop, missingPolicy: .repeatLast)
        let settings = try RoomSettings(
            roomID: "r1", players: players, tickRate: try TickRate(hertz: 30), inputDelay: 2, input: input, seed: 7,
            maxTicks: maxTicks, hashInterval: 30, startTimeoutNanos: 5_000_000_000, rollbackCapacity: 64, startDelayNanos: 0,
            botSlots: bots)
        return try Room(settings: settings, output: output, now: 0, simulations: registry)
    }

    /// Slot 0's input (made once: the allocation test counts every allocation of `run`).
    static let payload: [UInt8] = [10, 0, 0, 0, 0]

    /// Plays `ticks` ticks with slot 0 sending a fixed input two ticks ahead.
    static func run(_ room: Room, ticks: Int) {
        var now = room.nextWakeup ?? 0
        for _ in 0..<ticks where room.phase == .running {
            let target = room.nextTick.advanced(by: 2)
            payload.withUnsafeBytes { room.receive(.input(tick: target, slot: PlayerSlot(0), payload: $0), from: ConnectionID(1), now: now) }
            now = room.nextWakeup ?? now
            room.advance(now: now)
        }
    }

    @Test func theMatchStartsWhenThePlayersJoinAndEveryBotInputIsOnTimeAndFromItsBot() throws {
        let output = RecordingOutput()
        let room = try Self.makeRoom(players: 3, bots: [1, 2], output: output)
        #expect(room.phase == .waiting)
        try room.join(ConnectionID(1), as: .player(PlayerSlot(0)), lastTick: nil, now: 0)
        #expect(room.phase == .running)
        Self.run(room, ticks: 100)
        #expect(output.frames.count == 100)
        // The inputs are those the seat bots give, fed the state the server re-simulates.
        var simulation = try ArenaSimulation(players: 3, seed: 7)
        var bots = [ArenaSeatBot(slot: 1, seed: 7), ArenaSeatBot(slot: 2, seed: 7)]
        var expected: [UInt8] = []
        for frame in output.frames {
            for (index, slot) in [1, 2].enumerated() {
                bots[index].input(for: frame.tick, simulation: simulation, into: &expected)
                #expect(frame.status(of: slot) == .onTime)
                #expect(Array(frame.payload(of: slot)) == expected)
            }
            simulation.step(frame)
        }
        #expect(output.events.filter { $0.kind == .join && $0.detail == "bot" }.map(\.slot) == [PlayerSlot(1), PlayerSlot(2)])
        // A bot's slot cannot be joined.
        #expect(throws: ProtocolError.self) { try room.join(ConnectionID(9), as: .player(PlayerSlot(1)), lastTick: nil, now: 0) }
    }

    @Test func whenThePlayerLeavesTheBotsDoNotKeepTheRoomAlive() throws {
        let output = RecordingOutput()
        let room = try Self.makeRoom(players: 4, bots: [1, 2, 3], output: output)
        try room.join(ConnectionID(1), as: .player(PlayerSlot(0)), lastTick: nil, now: 0)
        Self.run(room, ticks: 10)
        room.receive(.leave, from: ConnectionID(1), now: room.nextWakeup ?? 0)
        #expect(room.phase == .ended && output.ended?.0 == .allPlayersGone)
    }

    @Test func botsNeedAGameWithBotsAndLeaveAPlayerASlot() throws {
        let input = try InputCollectorConfiguration(slotCount: 2, leadWindow: 16, latePolicy: .drop, missingPolicy: .repeatLast)
        #expect(throws: ConfigurationError.self) {
            try RoomSettings(roomID: "r", players: 2, tickRate: try TickRate(hertz: 30), input: input, botSlots: [0, 1])
        }
        #expect(throws: ConfigurationError.self) {
            try RoomSettings(roomID: "r", players: 2, tickRate: try TickRate(hertz: 30), input: input, botSlots: [2])
        }
        let settings = try RoomSettings(roomID: "r", players: 2, tickRate: try TickRate(hertz: 30), input: input, botSlots: [1])
        // The reference registry has the arena without bots.
        #expect(throws: ConfigurationError.self) { try Room(settings: settings, output: RecordingOutput(), now: 0, simulations: .reference) }
    }

    /// A tick with three bots deciding from the state allocates nothing once warm.
    @Test func botSeatsAllocateNothingPerTickInSteadyState() throws {
        let output = RecordingOutput()
        output.decode = false
        let room = try Self.makeRoom(players: 4, bots: [1, 2, 3], output: output, maxTicks: 100_000)
        try room.join(ConnectionID(1), as: .player(PlayerSlot(0)), lastTick: nil, now: 0)
        Self.run(room, ticks: 200)
        let before = lockstep_thread_allocations()
        Self.run(room, ticks: 1000)
        let allocations = lockstep_thread_allocations() - before
        #expect(allocations == 0)
        #expect(room.statistics.ticks == 1200 && room.statistics.inputErrors == 0)
    }
}
