import LockstepCore
import LockstepSimulation
import Testing
@testable import LockstepClient
import LockstepBots

@Suite struct ClockSynchronizerTests {
    @Test func theOffsetComesFromTheFastestRoundTripsAndOutliersAreRejected() throws {
        var clock = ClockSynchronizer(capacity: 16)
        let trueOffset: Int64 = 5_000_000
        var random = SeededRandom(seed: 1)
        for index in 0..<40 {
            let sent = UInt64(index) * 100_000_000
            // Asymmetric queueing noise on the return path only, plus occasional huge delays.
            let outbound = 1_000_000 + random.next(below: 200_000)
            let inbound = 1_000_000 + random.next(below: 3_000_000) + (index % 10 == 9 ? 80_000_000 : 0)
            let serverTime = UInt64(Int64(sent + outbound) + trueOffset)
            clock.add(sentAt: sent, serverTime: serverTime, receivedAt: sent + outbound + inbound)
        }
        let estimate = try #require(clock.offset)
        #expect(abs(estimate - trueOffset) < 1_000_000)
        #expect(clock.rejected >= 2)
    }

    /// Feeds the answer to a PING sent at `index` × 500 ms, `outbound` and `inbound` ns each way.
    static func sample(
        _ clock: inout ClockSynchronizer, _ index: Int, outbound: UInt64, inbound: UInt64, offset: Int64
    ) -> Bool {
        let sent = 10_000_000_000 + UInt64(index) * 500_000_000
        let serverTime = UInt64(Int64(sent + outbound) + offset)
        return clock.add(sentAt: sent, serverTime: serverTime, receivedAt: sent + outbound + inbound)
    }

    /// The round trip steps from 2 ms to 30 ms for good (another route). Each run of four
    /// outliers is kept, so within eight samples the median round trip, which the input delay is
    /// judged by, is the new path's (it stayed 2 ms for ever, and the delay shrank and went late
    /// again and again); later samples are no outliers, and a spike on the new path still is.
    @Test func aLastingRiseInTheRoundTripMovesTheMedianRoundTripAfterRunsOfOutliers() throws {
        var clock = ClockSynchronizer(capacity: 16)
        let offset: Int64 = -3_000_000
        for index in 0..<16 {
            let way = 1_000_000 + UInt64(index) * 500
            #expect(Self.sample(&clock, index, outbound: way, inbound: way, offset: offset))
        }
        #expect(try #require(clock.medianRoundTrip) < 3_000_000)
        var kept: [Bool] = []
        for index in 16..<24 { kept.append(Self.sample(&clock, index, outbound: 15_000_000, inbound: 15_000_000, offset: offset)) }
        // Three rejected, the fourth completes a run and keeps it; the same again.
        #expect(kept == [false, false, false, true, false, false, false, true])
        #expect(clock.keptRuns == 2)
        #expect(clock.medianRoundTrip == 30_000_000)
        for index in 24..<40 { #expect(Self.sample(&clock, index, outbound: 15_500_000, inbound: 15_500_000, offset: offset)) }
        #expect(try #require(clock.medianRoundTrip) >= 30_000_000)
        #expect(clock.offset == offset)
        #expect(!Self.sample(&clock, 40, outbound: 15_000_000, inbound: 200_000_000, offset: offset))
        #expect(clock.rejected == 7)
    }

    /// Two seconds of answers held up on the way back (a loaded host): the run is kept, but the
    /// offset still comes from the fastest samples, so it does not move by half the hold-up.
    @Test func aRunOfSlowAnswersDoesNotSkewTheOffset() {
        var clock = ClockSynchronizer(capacity: 16)
        let offset: Int64 = 4_000_000
        for index in 0..<16 {
            let way = 500_000 + UInt64(index) * 500
            _ = Self.sample(&clock, index, outbound: way, inbound: way, offset: offset)
        }
        #expect(clock.offset == offset)
        for index in 16..<20 { _ = Self.sample(&clock, index, outbound: 500_000, inbound: 40_000_000, offset: offset) }
        #expect(clock.keptRuns == 1)
        #expect(clock.offset == offset)
        for index in 20..<24 { #expect(Self.sample(&clock, index, outbound: 500_000, inbound: 500_000, offset: offset)) }
        #expect(clock.offset == offset)
    }
}

@Suite struct InputDelayControllerTests {
    @Test func theDelayGrowsAtOnceWhenLateAndShrinksSlowlyWithSlackWithinBounds() {
        var delay = InputDelayController(initial: 2, minimum: 1, maximum: 4, shrinkAfter: 10)
        let grew = delay.inputWasLate()
        #expect(grew && delay.delay == 3)
        delay.inputWasLate()
        delay.inputWasLate()
        #expect(delay.delay == 4)  // capped
        // A 5 ms round trip at a 33 ms period needs 2 ticks: shrinks to 2 after 10 good ticks each.
        for _ in 0..<9 {
            let shrank = delay.inputWasOnTime(roundTrip: 5_000_000, period: 33_333_333)
            #expect(!shrank)
        }
        let shrank = delay.inputWasOnTime(roundTrip: 5_000_000, period: 33_333_333)
        #expect(shrank && delay.delay == 3)
        for _ in 0..<10 { delay.inputWasOnTime(roundTrip: 5_000_000, period: 33_333_333) }
        #expect(delay.delay == 2)
        for _ in 0..<50 { delay.inputWasOnTime(roundTrip: 5_000_000, period: 33_333_333) }
        #expect(delay.delay == 2)  // one less would not cover the round trip
    }
}

@Suite struct ReconnectPolicyTests {
    @Test func backoffGrowsExponentiallyWithJitterUpToTheCapThenGivesUp() throws {
        var policy = ReconnectPolicy(baseNanos: 100, maximumNanos: 10_000, jitterPermille: 500, maxAttempts: 10, seed: 3)
        var delays: [UInt64] = []
        for attempt in 0..<10 {
            let next = policy.delay(forAttempt: attempt)
            let delay = try #require(next)
            let nominal = min(UInt64(100) << UInt64(attempt), 10_000)
            #expect(delay >= nominal / 2 && delay <= nominal * 3 / 2)
            delays.append(delay)
        }
        let exhausted = policy.delay(forAttempt: 10)
        #expect(exhausted == nil)
        #expect(Set(delays).count > 5)  // jitter spreads them
    }
}

@Suite struct PredictionSessionTests {
    static func frames(players: Int, ticks: Int, seed: UInt64) -> [ConfirmedFrame] {
        (0..<ticks).map { tick in
            ConfirmedFrame(tick: Tick(UInt32(tick)), inputs: (0..<players).map { slot in
                (.onTime, BotRunner.inputs(seed: seed, slot: slot)(Tick(UInt32(tick))))
            })
        }
    }

    /// Confirmed frames arrive a seeded random number of ticks behind the head: the confirmed
    /// state always equals a plain simulation of the confirmed frames, and the predicted head
    /// equals what re-simulating from it on the session's own predictions gives; rollbacks happen.
    @Test(arguments: [UInt64(1), 2, 3])
    func rollbackKeepsConfirmedStateExactAndPredictionConsistent(seed: UInt64) throws {
        let players = 3
        let frames = Self.frames(players: players, ticks: 400, seed: seed)
        let session = try PredictionSession(
            initial: try ArenaSimulation(players: players, seed: seed), slotCount: players, localSlot: 1, maxPrediction: 8)
        var reference = try ArenaSimulation(players: players, seed: seed)
        var random = SeededRandom(seed: seed)
        var confirmedUpTo = 0
        for head in 1...400 {
            session.setLocalInput(Array(frames[head - 1].payload(of: 1)), for: Tick(UInt32(head - 1)))
            // Confirm up to a random lag of 0...6 ticks behind the head.
            let lag = random.next(in: 0...6)
            while confirmedUpTo < head - lag {
                session.confirm(frames[confirmedUpTo])
                reference.step(frames[confirmedUpTo])
                confirmedUpTo += 1
                #expect(session.confirmed.hash() == reference.hash())
            }
            session.advance(to: Tick(UInt32(head)))
            #expect(session.head.distance(to: Tick(UInt32(head))) <= 0 || session.confirmedNext.distance(to: session.head) == 8)
            // The head is the confirmed state stepped on the session's predictions.
            var check = session.confirmed
            var tick = session.confirmedNext
            while tick < session.head {
                check.step(session.predictFrame(tick))
                tick = tick.next
            }
            #expect(check.hash() == session.predicted.hash())
        }
        #expect(session.statistics.rollbacks > 10)
        #expect(session.statistics.maxDepth <= 8)
    }

    @Test func predictionStopsAtTheDepthCap() throws {
        let session = try PredictionSession(initial: try ArenaSimulation(players: 2, seed: 1), slotCount: 2, localSlot: 0, maxPrediction: 4)
        session.advance(to: Tick(20))
        #expect(session.head == Tick(4))
        #expect(session.statistics.stalls == 1)
    }
}

/// A simulation that breaks the rules: it keeps a hidden counter outside its snapshot.
final class HiddenCounter: @unchecked Sendable {
    var value: UInt64 = 0
}

struct NonDeterministicSimulation: DeterministicSimulation {
    static let simulationID = "test.nondeterministic"
    static let simulationVersion: UInt16 = 1
    var state: UInt64 = 0
    let hidden = HiddenCounter()
    init(players: Int, seed: UInt64) {}
    mutating func step(_ frame: ConfirmedFrame) {
        hidden.value &+= 1
        state = state &* 31 &+ UInt64(frame.payload(of: 0).first ?? 0) &+ (frame.tick.rawValue > 50 ? hidden.value : 0)
    }
    func hash() -> UInt64 { state }
    func snapshot() -> UInt64 { state }
    mutating func restore(_ snapshot: UInt64) { state = snapshot }
    var isOver: Bool { false }
}

@Suite struct SyncTesterTests {
    @Test func theSyncTestCatchesADeliberatelyNonDeterministicSimulation() throws {
        var tester = SyncTester(initial: NonDeterministicSimulation(players: 1, seed: 0), checkDistance: 3)
        var mismatch: SyncTester<NonDeterministicSimulation>.Mismatch?
        for tick in 0..<100 where mismatch == nil {
            let found = tester.step(ConfirmedFrame(tick: Tick(UInt32(tick)), inputs: [(.onTime, [UInt8(tick % 7)])]))
            mismatch = found
        }
        // Deterministic until tick 50, where the hidden state starts to matter.
        let tick = try #require(mismatch).tick.rawValue
        #expect((49...53).contains(tick))
    }

    @Test func theArenaSimulationPassesTheSyncTest() throws {
        var tester = SyncTester(initial: try ArenaSimulation(players: 4, seed: 5), checkDistance: 4)
        for frame in PredictionSessionTests.frames(players: 4, ticks: 600, seed: 5) {
            let mismatch = tester.step(frame)
            #expect(mismatch == nil)
        }
        #expect(tester.checkedTicks == 600)
    }
}
