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
}
