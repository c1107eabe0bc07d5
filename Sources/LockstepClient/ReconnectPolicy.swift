import LockstepCore

/// Exponential backoff with jitter for reconnecting: attempt n waits about `base × 2ⁿ`, capped at
/// `maximum`, spread by ±`jitter` (a fraction) so that many clients dropped together do not all
/// come back at the same instant. The random source is seeded, so tests are repeatable.
public struct ReconnectPolicy: Sendable {
    public var baseNanos: UInt64
    public var maximumNanos: UInt64
    /// The spread, as a fraction of the delay in thousandths (500: ±50 %).
    public var jitterPermille: UInt64
    /// Give up after this many attempts in a row.
    public var maxAttempts: Int
    private var random: SeededRandom

    public init(baseNanos: UInt64 = 100_000_000, maximumNanos: UInt64 = 5_000_000_000, jitterPermille: UInt64 = 500, maxAttempts: Int = 12, seed: UInt64 = 0) {
        self.baseNanos = max(1, baseNanos)
        self.maximumNanos = max(self.baseNanos, maximumNanos)
        self.jitterPermille = min(jitterPermille, 1000)
        self.maxAttempts = max(1, maxAttempts)
        random = SeededRandom(seed: seed)
    }

    /// The wait before attempt `attempt` (0-based), or `nil` once attempts are exhausted.
    public mutating func delay(forAttempt attempt: Int) -> UInt64? {
        guard attempt < maxAttempts else { return nil }
        let exponent = UInt64(min(attempt, 40))
        let raw = baseNanos.multipliedReportingOverflow(by: 1 << exponent)
        let capped = raw.overflow ? maximumNanos : min(raw.partialValue, maximumNanos)
        let spread = capped / 1000 * jitterPermille
        guard spread > 0 else { return capped }
        let offset = random.next(below: 2 * spread + 1)
        return capped - spread + offset
    }
}
