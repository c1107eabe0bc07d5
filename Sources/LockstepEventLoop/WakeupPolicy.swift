/// How a loop groups its wake-ups (docs/NETWORK.md, "Wake-ups"). Both windows are 0 by default:
/// every timer fires at its own deadline and every event is handled as it arrives.
public struct WakeupPolicy: Sendable, Equatable {
    /// Timers due within this many nanoseconds of the earliest one fire in one wake-up: the loop
    /// wakes at the latest deadline in `[earliest, earliest + tickWindow]`. No timer fires early;
    /// one fires at most `tickWindow` late. No fixed slots: the groups follow the deadlines.
    public var tickWindowNanoseconds: UInt64
    /// When the loop's next wake-up is at most this far away, it sleeps until then without
    /// watching its descriptors, and handles everything that became ready in that wake-up: input
    /// and tasks arriving in the gap wait up to this long instead of costing a wake-up each.
    public var batchWindowNanoseconds: UInt64

    public init(tickWindowNanoseconds: UInt64 = 0, batchWindowNanoseconds: UInt64 = 0) {
        self.tickWindowNanoseconds = tickWindowNanoseconds
        self.batchWindowNanoseconds = batchWindowNanoseconds
    }

    /// Every timer at its deadline, every event as it arrives.
    public static let immediate = WakeupPolicy()
}
