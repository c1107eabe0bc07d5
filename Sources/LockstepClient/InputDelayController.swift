/// Adapts the input delay: it grows at once when this client's inputs arrive late, and shrinks one
/// tick at a time after a run of ticks with slack, always within `minimum...maximum`.
///
/// "Late" is what the server says: a confirmed frame with this client's slot filled (missing) or
/// moved (late), or an `inputLate` error. "Slack" is a round trip well inside the current delay.
public struct InputDelayController: Sendable {
    public let minimum: Int
    public let maximum: Int
    /// Consecutive good ticks needed before shrinking by one.
    public let shrinkAfter: Int
    /// The delay to use now, in ticks.
    public private(set) var delay: Int
    private var goodTicks = 0
    /// Times the delay grew and shrank.
    public private(set) var increases = 0
    public private(set) var decreases = 0

    public init(initial: Int, minimum: Int = 1, maximum: Int = 12, shrinkAfter: Int = 120) {
        self.minimum = max(0, min(minimum, maximum))
        self.maximum = max(minimum, maximum)
        self.shrinkAfter = max(1, shrinkAfter)
        delay = min(max(initial, self.minimum), self.maximum)
    }

    /// This client's input for a tick arrived late (or not at all): grow by one at once.
    /// Returns whether the delay changed.
    @discardableResult
    public mutating func inputWasLate() -> Bool {
        goodTicks = 0
        guard delay < maximum else { return false }
        delay += 1
        increases += 1
        return true
    }

    /// This client's input arrived in time. `roundTrip` and `period` (ns) judge the slack: the
    /// delay shrinks only if one tick less would still cover the round trip with a tick to spare.
    @discardableResult
    public mutating func inputWasOnTime(roundTrip: UInt64, period: UInt64) -> Bool {
        goodTicks += 1
        guard goodTicks >= shrinkAfter, delay > minimum, period > 0 else { return false }
        let needed = Int((roundTrip + period - 1) / period) + 1
        guard delay - 1 >= needed else {
            goodTicks = 0
            return false
        }
        goodTicks = 0
        delay -= 1
        decreases += 1
        return true
    }
}
