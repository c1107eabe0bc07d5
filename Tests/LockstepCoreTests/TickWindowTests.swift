import Testing
@testable import LockstepCore

/// The window shared by `RollbackBuffer` and `FrameRing` holds exactly the newest `capacity` ticks
/// of its contiguous run, checked against a plain list of ticks under seeded random operations.
@Suite struct TickWindowTests {
    @Test func aWindowAgreesWithAListOfTheNewestTicksUnderRandomAppendsAndTrims() {
        var random = SplitMix64(state: 2024)
        for capacity in [1, 2, 7, 64] {
            var window = TickWindow(capacity: capacity, nextTick: Tick(100))
            var model: [UInt32] = []  // the ticks held, oldest first
            var next: UInt32 = 100
            for _ in 0..<5_000 {
                switch random.next() % 10 {
                case 0:  // a tick out of order changes nothing
                    let wrong = next &+ 1 &+ UInt32(random.next() % 5)
                    #expect(window.append(Tick(wrong)) == nil)
                case 1:  // trim before a tick around the held run
                    let around = Int64(model.first ?? next) + Int64(random.next() % UInt64(capacity + 3)) - 1
                    let before = UInt32(max(0, around))
                    let changed = window.trim(before: Tick(before))
                    let trimmed = model.filter { $0 >= before }
                    #expect(changed == (model.first.map { before > $0 } ?? false))
                    model = trimmed
                case 2 where model.isEmpty:  // an empty window may restart anywhere
                    next = UInt32(random.next() % 1_000)
                    window.restartIfEmpty(at: Tick(next))
                default:
                    let slot = window.append(Tick(next))
                    #expect(slot == Int(next % UInt32(capacity)))
                    model.append(next)
                    if model.count > capacity { model.removeFirst() }
                    next += 1
                }
                #expect(window.count == model.count)
                #expect(window.oldestTick == model.first.map { Tick($0) })
                #expect(window.newestTick == model.last.map { Tick($0) })
                #expect(window.nextTick == Tick(next))
                let probe = UInt32(max(0, Int64(next) - Int64(capacity) - 2)) + UInt32(random.next() % UInt64(capacity + 4))
                #expect(window.holds(Tick(probe)) == model.contains(probe), "capacity \(capacity) probe \(probe)")
            }
        }
    }

    @Test func aWindowThatHoldsTicksDoesNotRestart() {
        var window = TickWindow(capacity: 4)
        #expect(window.append(.zero) == 0)
        window.restartIfEmpty(at: Tick(50))
        #expect(window.nextTick == Tick(1))
        #expect(TickWindow(capacity: 0).capacity == 1)
    }
}
