import CAllocationCounter
import LockstepCore
import Testing
@testable import LockstepSimulation

@Suite struct ArenaSimulationTests {
    static func botFrames(players: Int, ticks: Int, seed: UInt64) -> [ConfirmedFrame] {
        var bots = (0..<players).map { ArenaBot(seed: seed, slot: $0) }
        return (0..<ticks).map { tick in
            ConfirmedFrame(tick: Tick(UInt32(tick)), inputs: bots.indices.map { (.onTime, bots[$0].nextInput().payload) })
        }
    }

    @Test func sameFramesFromTheSameSeedGiveTheSameHashes() throws {
        let frames = Self.botFrames(players: 4, ticks: 2000, seed: 11)
        var a = try ArenaSimulation(players: 4, seed: 11)
        var b = try ArenaSimulation(players: 4, seed: 11)
        for frame in frames {
            a.step(frame)
            b.step(frame)
            #expect(a.hash() == b.hash())
        }
        var c = try ArenaSimulation(players: 4, seed: 12)
        for frame in frames { c.step(frame) }
        #expect(c.hash() != a.hash())
    }

    @Test func restoringASnapshotAndResimulatingReproducesTheState() throws {
        let frames = Self.botFrames(players: 3, ticks: 600, seed: 5)
        var simulation = try ArenaSimulation(players: 3, seed: 5)
        var saved = simulation.snapshot()
        var savedAt = 0
        var random = SeededRandom(seed: 99)
        for (index, frame) in frames.enumerated() {
            simulation.step(frame)
            if random.chance(1, in: 20) {
                // Roll back to the saved state and re-simulate to here: the hash must match.
                let expected = simulation.hash()
                simulation.restore(saved)
                for replayed in frames[savedAt...index] { simulation.step(replayed) }
                #expect(simulation.hash() == expected)
                saved = simulation.snapshot()
                savedAt = index + 1
            }
        }
    }

    @Test func botsFightPlayersDieRespawnAndScore() throws {
        var simulation = try ArenaSimulation(players: 8, seed: 3)
        for frame in Self.botFrames(players: 8, ticks: 6000, seed: 3) { simulation.step(frame) }
        let kills = simulation.players.reduce(0) { $0 + Int($1.score) }
        let deaths = simulation.players.reduce(0) { $0 + Int($1.deaths) }
        #expect(kills > 0)
        #expect(kills == deaths)
    }

    @Test func playersNeverEnterWallsOrLeaveTheArena() throws {
        var simulation = try ArenaSimulation(players: 4, seed: 21)
        for frame in Self.botFrames(players: 4, ticks: 3000, seed: 21) {
            simulation.step(frame)
            for player in simulation.players where player.isAlive {
                #expect(!ArenaSimulation.blocked(x: player.x, y: player.y))
            }
        }
    }

    @Test func theMatchEndsAtTheTickLimitOrTheScoreLimit() throws {
        var short = try ArenaSimulation(players: 2, seed: 1, rules: ArenaRules(scoreLimit: 1000, tickLimit: 10))
        for frame in Self.botFrames(players: 2, ticks: 10, seed: 1) {
            #expect(!short.isOver)
            short.step(frame)
        }
        #expect(short.isOver)
        var quick = try ArenaSimulation(players: 8, seed: 3, rules: ArenaRules(scoreLimit: 1, tickLimit: 100_000))
        var ticks = 0
        for frame in Self.botFrames(players: 8, ticks: 6000, seed: 3) where !quick.isOver {
            quick.step(frame)
            ticks += 1
        }
        #expect(quick.isOver && ticks < 6000)
    }

    @Test func playerCountsOutsideTwoToEightAreRejected() {
        #expect(throws: ConfigurationError.self) { try ArenaSimulation(players: 1, seed: 0) }
        #expect(throws: ConfigurationError.self) { try ArenaSimulation(players: 9, seed: 0) }
    }

    @Test func inputPayloadRoundTripsAndShortPayloadsAreNeutral() {
        let input = ArenaInput(moveX: -127, moveY: 90, aim: BinaryAngle(rawValue: 0xBEEF), fire: true)
        #expect(ArenaInput(payload: input.payload) == input)
        #expect(ArenaInput(payload: [1, 2, 3]) == .neutral)
        #expect(ArenaInput(payload: [0x80, 0, 0, 0, 0]).moveX == -127)
    }
}

@Suite struct ArenaAllocationTests {
    /// Stepping and hashing allocate nothing per tick (the server re-simulates every room).
    @Test func steppingAndHashingAllocateNothing() throws {
        var simulation = try ArenaSimulation(players: 8, seed: 3)
        let frames = ArenaSimulationTests.botFrames(players: 8, ticks: 1200, seed: 3)
        var sink: UInt64 = 0
        for frame in frames.prefix(200) {
            simulation.step(frame)
            sink ^= simulation.hash()
        }
        let before = lockstep_thread_allocations()
        var index = 200
        while index < frames.count {
            simulation.step(frames[index])
            sink ^= simulation.hash()
            index += 1
        }
        #expect(lockstep_thread_allocations() - before == 0)
        #expect(sink != 0)
    }
}
