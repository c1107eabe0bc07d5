import LockstepCore
import Testing
@testable import LockstepProtocol

/// The frame-paced players' schedule (the bench bots', the tests' game client).
@Suite struct FrameDrivenInputsTests {
    func ticks(_ range: ClosedRange<Tick>?) -> [UInt32] {
        var ticks: [UInt32] = []
        range?.forEachTick { ticks.append($0.rawValue) }
        return ticks
    }

    @Test func theFirstInputDelayPlusOneTicksGoAtOnceThenOnePerFrame() {
        var inputs = FrameDrivenInputs(firstTick: Tick(10), inputDelay: 2)
        #expect(ticks(inputs.ticksAtStart()) == [10, 11, 12])
        #expect(ticks(inputs.ticksDue(afterFrameOf: Tick(10))) == [13])
        #expect(ticks(inputs.ticksDue(afterFrameOf: Tick(11))) == [14])
        // A frame that skipped ticks (a late join's gap) brings every tick up to its own + delay + 1.
        #expect(ticks(inputs.ticksDue(afterFrameOf: Tick(15))) == [15, 16, 17, 18])
        // An old or repeated frame (a FRAME_BATCH replaying the past) sends nothing twice.
        #expect(inputs.ticksDue(afterFrameOf: Tick(15)) == nil)
        #expect(inputs.ticksDue(afterFrameOf: Tick(3)) == nil)
        #expect(inputs.nextTick == Tick(19))
    }

    /// Seeded random frame arrivals: every tick from the first to the newest frame's + delay + 1 is
    /// sent exactly once, in order, whatever order and repeats the frames come in.
    @Test func everyTickIsSentExactlyOnceInOrder() {
        var random = SeededRandom(seed: 0xF4A3)
        for _ in 0..<300 {
            let first = UInt32(random.next(in: 0...1000))
            let delay = random.next(in: 0...6)
            var inputs = FrameDrivenInputs(firstTick: Tick(first), inputDelay: delay)
            var sent = ticks(inputs.ticksAtStart())
            var newestFrame = -1
            for _ in 0..<random.next(in: 1...50) {
                let tick = max(0, max(Int(first), newestFrame) + random.next(in: -5...4))
                newestFrame = max(newestFrame, tick)
                sent += ticks(inputs.ticksDue(afterFrameOf: Tick(UInt32(tick))))
            }
            let last = max(Int(first) + delay, newestFrame + delay + 1)
            #expect(sent == (Int(first)...last).map { UInt32($0) })
        }
    }

    @Test func aZeroDelaySendsOnlyTheFirstTickAtStart() {
        var inputs = FrameDrivenInputs(firstTick: .zero, inputDelay: 0)
        #expect(ticks(inputs.ticksAtStart()) == [0])
        #expect(ticks(inputs.ticksDue(afterFrameOf: .zero)) == [1])
    }
}
