/// How a tick clock behaves when it falls behind its schedule.
public struct OverrunPolicy: Hashable, Sendable {
    /// How many ticks may be confirmed back to back, each already past the deadline of the tick
    /// after it, before the schedule is re-anchored to the present (default 5). Tick numbers never
    /// skip: re-anchoring only moves the deadlines later.
    public var maxCatchUpTicks: Int

    public init(maxCatchUpTicks: Int = 5) {
        self.maxCatchUpTicks = max(1, maxCatchUpTicks)
    }
}

/// One thing a tick clock has to say when polled.
public enum TickClockEvent: Equatable, Sendable {
    /// `tick` is due; `lateness` is how far past its deadline the poll came, in ns.
    case tick(Tick, lateness: UInt64)
    /// The clock fell more than `maxCatchUpTicks` behind and re-anchored: from now on the schedule is
    /// `schedule` (announce it to clients). `behind` is how far behind it was, in ns.
    case rescheduled(TickSchedule, behind: UInt64)
}

/// Counters a tick clock keeps about its own punctuality.
public struct TickClockStatistics: Equatable, Sendable {
    /// Ticks released.
    public var ticks: UInt64 = 0
    /// Ticks released after the deadline of the tick after them (a whole period or more late).
    public var lateTicks: UInt64 = 0
    /// Times the schedule was re-anchored.
    public var reschedules: UInt64 = 0
    /// The largest lateness seen, in ns.
    public var maxLateness: UInt64 = 0

    public init() {}
}

/// A fixed-rate tick clock on an absolute schedule, driven by the caller's monotonic time.
///
/// The clock never reads a clock itself: the caller passes `now` (from a timer on its event loop,
/// or from a manual clock in tests) and calls `poll(now:)` until it returns `nil`, then sleeps
/// until `nextDeadline`.
public struct TickClock: Sendable {
    /// The current schedule (changes only when the clock re-anchors).
    public private(set) var schedule: TickSchedule
    /// The overrun policy.
    public let overrun: OverrunPolicy
    /// The next tick to be released.
    public private(set) var nextTick: Tick
    /// Punctuality counters.
    public private(set) var statistics = TickClockStatistics()
    private var consecutiveCatchUps = 0

    /// A clock whose tick `firstTick` is due at `epoch` (monotonic ns).
    public init(rate: TickRate, epoch: UInt64, firstTick: Tick = .zero, overrun: OverrunPolicy = OverrunPolicy()) {
        schedule = TickSchedule(epoch: epoch, baseTick: firstTick, rate: rate)
        self.overrun = overrun
        nextTick = firstTick
    }

    /// The deadline of the next tick (monotonic ns): when to poll again.
    public var nextDeadline: UInt64 { schedule.deadline(of: nextTick) }

    /// Releases the next due tick, or reports a re-anchoring, or returns `nil` when nothing is due.
    public mutating func poll(now: UInt64) -> TickClockEvent? {
        let deadline = schedule.deadline(of: nextTick)
        guard now >= deadline else { return nil }
        let lateness = now - deadline
        let isBehind = now >= schedule.deadline(of: nextTick.next)
        if isBehind {
            if consecutiveCatchUps >= overrun.maxCatchUpTicks {
                // Re-anchor: the next tick is due now, and the ones after on the usual period.
                schedule = TickSchedule(epoch: now, baseTick: nextTick, rate: schedule.rate)
                consecutiveCatchUps = 0
                statistics.reschedules += 1
                return .rescheduled(schedule, behind: lateness)
            }
            consecutiveCatchUps += 1
            statistics.lateTicks += 1
        } else {
            consecutiveCatchUps = 0
        }
        statistics.ticks += 1
        statistics.maxLateness = max(statistics.maxLateness, lateness)
        let tick = nextTick
        nextTick = nextTick.next
        return .tick(tick, lateness: lateness)
    }
}
