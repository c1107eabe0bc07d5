/// A fixed tick rate from 1 to 240 Hz.
public struct TickRate: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// Ticks per second.
    public let rawValue: Int

    /// The lowest rate a room may run at.
    public static let minimum = 1
    /// The highest rate a room may run at.
    public static let maximum = 240

    /// A rate, or `nil` outside 1...240 Hz.
    public init?(rawValue: Int) {
        guard (Self.minimum...Self.maximum).contains(rawValue) else { return nil }
        self.rawValue = rawValue
    }

    /// A rate, throwing outside 1...240 Hz.
    public init(hertz: Int) throws(ConfigurationError) {
        guard let rate = TickRate(rawValue: hertz) else {
            throw ConfigurationError(field: "tickRate", message: "must be \(Self.minimum) to \(Self.maximum) Hz, not \(hertz)")
        }
        self = rate
    }

    /// The nominal period in nanoseconds, rounded down (deadlines use the exact fraction).
    public var periodNanoseconds: UInt64 { 1_000_000_000 / UInt64(rawValue) }

    public var description: String { "\(rawValue) Hz" }
}

/// The absolute schedule of a tick clock: tick `baseTick + n` is due at `epoch + n × 10⁹ / rate` ns.
///
/// Deadlines are computed from the tick number each time, in integer nanoseconds, with the
/// division last: rounding never accumulates, so there is no drift over hours.
public struct TickSchedule: Hashable, Sendable {
    /// The monotonic time (ns) at which `baseTick` is due.
    public var epoch: UInt64
    /// The tick due at `epoch`.
    public var baseTick: Tick
    /// The rate.
    public var rate: TickRate

    public init(epoch: UInt64, baseTick: Tick = .zero, rate: TickRate) {
        self.epoch = epoch
        self.baseTick = baseTick
        self.rate = rate
    }

    /// The monotonic deadline (ns) of `tick`; ticks before `baseTick` map to `epoch`.
    public func deadline(of tick: Tick) -> UInt64 {
        let n = UInt64(max(0, baseTick.distance(to: tick)))
        return epoch &+ (n &* 1_000_000_000) / UInt64(rate.rawValue)
    }

    /// The last tick whose deadline is at or before `time`, or `nil` if `time` is before `epoch`.
    public func tick(at time: UInt64) -> Tick? {
        guard time >= epoch else { return nil }
        // Largest n with floor(n × 10⁹ / rate) ≤ Δ, i.e. n × 10⁹ < (Δ + 1) × rate.
        let n = ((time - epoch + 1) &* UInt64(rate.rawValue) - 1) / 1_000_000_000
        return baseTick.advanced(by: Int(n))
    }
}
