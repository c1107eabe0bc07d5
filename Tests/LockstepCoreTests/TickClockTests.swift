import Testing
@testable import LockstepCore

@Suite struct TickClockTests {
    @Test(arguments: [1, 30, 60, 144, 240])
    func deadlinesDoNotDriftOverASimulatedHour(hertz: Int) throws {
        let rate = try TickRate(hertz: hertz)
        var clock = TickClock(rate: rate, epoch: 5_000)
        let hourTicks = 3600 * hertz
        var released = 0
        // Poll exactly at each deadline for an hour of simulated time; never sleeps.
        while released < hourTicks {
            let deadline = clock.nextDeadline
            guard case .tick(let tick, let lateness)? = clock.poll(now: deadline) else {
                Issue.record("no tick at its deadline")
                return
            }
            #expect(lateness == 0)
            #expect(tick.rawValue == UInt32(released))
            released += 1
        }
        // After exactly one hour of ticks the next deadline is exactly one hour after the epoch.
        #expect(clock.nextDeadline == 5_000 + 3_600_000_000_000)
        #expect(clock.statistics.lateTicks == 0)
    }

    @Test func nothingIsDueBeforeTheDeadlineAndLatenessIsReported() throws {
        var clock = TickClock(rate: try TickRate(hertz: 30), epoch: 1_000_000)
        #expect(clock.poll(now: 999_999) == nil)
        #expect(clock.poll(now: 1_000_250) == .tick(Tick(0), lateness: 250))
        #expect(clock.poll(now: 1_000_251) == nil)
    }

    @Test func aClockFarBehindCatchesUpBackToBackThenReanchors() throws {
        let rate = try TickRate(hertz: 100)  // 10 ms period
        var clock = TickClock(rate: rate, epoch: 0, overrun: OverrunPolicy(maxCatchUpTicks: 3))
        let now: UInt64 = 100_000_000  // 100 ms late: ten ticks behind
        var events: [TickClockEvent] = []
        while let event = clock.poll(now: now) { events.append(event) }
        // Three catch-up ticks, then a reschedule, then the re-anchored tick 3 due now.
        #expect(events.count == 5)
        #expect(events[3] == .rescheduled(TickSchedule(epoch: now, baseTick: Tick(3), rate: rate), behind: 70_000_000))
        #expect(events[4] == .tick(Tick(3), lateness: 0))
        #expect(clock.nextDeadline == now + 10_000_000)
        #expect(clock.statistics.reschedules == 1 && clock.statistics.lateTicks == 3)
    }

    @Test func ratesOutsideOneTo240HertzAreRejected() {
        #expect(throws: ConfigurationError.self) { try TickRate(hertz: 0) }
        #expect(throws: ConfigurationError.self) { try TickRate(hertz: 241) }
    }

    @Test func scheduleMapsTimesBackToTicks() throws {
        let schedule = TickSchedule(epoch: 1_000, rate: try TickRate(hertz: 30))
        #expect(schedule.tick(at: 999) == nil)
        #expect(schedule.tick(at: schedule.deadline(of: Tick(77))) == Tick(77))
        #expect(schedule.tick(at: schedule.deadline(of: Tick(78)) - 1) == Tick(77))
    }
}
