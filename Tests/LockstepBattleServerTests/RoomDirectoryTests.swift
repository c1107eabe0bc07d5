import LockstepServer
import Testing
@testable import LockstepBattleServer

@Suite struct RoomDirectoryTests {
    /// A golden-ratio sequence spreads any number of rooms evenly over the tick period: with n
    /// rooms no gap between neighbouring phases exceeds a few periods / n.
    @Test(arguments: [10, 100, 1000])
    func phasesOfConsecutiveRoomsSpreadEvenlyOverThePeriod(rooms: Int) {
        let directory = RoomDirectory(logger: Logger(level: .error) { _ in })
        let period: UInt64 = 33_333_333
        let phases = (0..<rooms).map { _ in directory.nextPhase(period: period).offset }.sorted()
        var largestGap = phases[0] + period - phases[rooms - 1]
        for index in 1..<rooms { largestGap = max(largestGap, phases[index] - phases[index - 1]) }
        #expect(phases.allSatisfy { $0 < period })
        #expect(largestGap <= 3 * period / UInt64(rooms))
    }

    /// With phase slots, every phase is one of `slots` evenly spaced instants, the slots fill
    /// evenly, and two rooms created in a row never share one.
    @Test func phasesRoundedToSlotsFillTheSlotsEvenly() {
        let directory = RoomDirectory(logger: Logger(level: .error) { _ in })
        let period: UInt64 = 33_333_333
        let slots = 64
        let phases = (0..<1000).map { _ in directory.nextPhase(period: period, slots: slots).offset }
        var perSlot = [Int](repeating: 0, count: slots)
        for phase in phases {
            let slot = Int((phase * UInt64(slots) + period - 1) / period)  // inverts the floor below
            #expect(phase == UInt64(slot) * period / UInt64(slots))
            perSlot[slot] += 1
        }
        #expect((perSlot.max() ?? 0) - (perSlot.min() ?? 0) <= 3)
        for index in 1..<phases.count { #expect(phases[index] != phases[index - 1]) }
    }
}
