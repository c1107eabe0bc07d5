/// A signed fixed-point number with 16 fractional bits in a 64-bit integer (Q47.16).
///
/// Every operation is defined on integers, so results are identical on every machine and build:
/// - `+` and `-` saturate at `Fixed.min` / `Fixed.max` instead of trapping;
/// - `*` computes the exact 128-bit product and rounds to nearest, ties away from zero;
/// - `/` truncates toward zero; dividing by zero saturates to `max` (or `min` for a negative dividend);
/// - `squareRoot()` is the floor of the exact square root (0 for negative values);
/// - `sin`/`cos` take a `BinaryAngle` and use a 1024-step table with linear interpolation
///   (absolute error under 2⁻¹²).
public struct Fixed: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The raw two's complement value: the number times 2¹⁶.
    public var raw: Int64

    /// The number of fractional bits.
    public static let fractionBits = 16
    /// 1.0 in raw units.
    public static let oneRaw: Int64 = 1 << 16

    // Computed and inlinable, not stored: a stored static is a lazily initialised global, and
    // every use from another module (the arena, per projectile per tick) would go through its
    // one-time-initialisation check.
    @inlinable public static var zero: Fixed { Fixed(raw: 0) }
    @inlinable public static var one: Fixed { Fixed(raw: 1 << 16) }
    @inlinable public static var half: Fixed { Fixed(raw: 1 << 15) }
    @inlinable public static var max: Fixed { Fixed(raw: .max) }
    @inlinable public static var min: Fixed { Fixed(raw: .min) }

    /// A number from its raw representation.
    @inlinable public init(raw: Int64) {
        self.raw = raw
    }

    /// A whole number (saturating).
    @inlinable public init(_ integer: Int) {
        let (value, overflow) = Int64(integer).multipliedReportingOverflow(by: 1 << 16)
        raw = overflow ? (integer < 0 ? .min : .max) : value
    }

    /// `numerator / denominator`, truncated toward zero.
    public init(_ numerator: Int, over denominator: Int) {
        self = Fixed(numerator) / Fixed(denominator)
    }

    /// The nearest fixed-point value to a double (ties away from zero); for tests and rendering only.
    public init(approximating value: Double) {
        let scaled = (value * Double(Self.oneRaw)).rounded(.toNearestOrAwayFromZero)
        if scaled.isNaN { raw = 0 } else if scaled >= 9.2e18 { raw = .max } else if scaled <= -9.2e18 { raw = .min } else { raw = Int64(scaled) }
    }

    /// The value as a double (for rendering; never feed it back into a simulation).
    public var doubleValue: Double { Double(raw) / Double(Self.oneRaw) }

    /// The integer part, rounded toward negative infinity.
    @inlinable public var floor: Int { Int(raw >> 16) }

    public var description: String { String(doubleValue) }

    @inlinable public static func < (lhs: Fixed, rhs: Fixed) -> Bool { lhs.raw < rhs.raw }

    @usableFromInline @inline(__always) static func clamped(_ value: Int128) -> Fixed {
        if value > Int128(Int64.max) { return .max }
        if value < Int128(Int64.min) { return .min }
        return Fixed(raw: Int64(value))
    }

    @inlinable public static func + (lhs: Fixed, rhs: Fixed) -> Fixed {
        let (sum, overflow) = lhs.raw.addingReportingOverflow(rhs.raw)
        return overflow ? (rhs.raw > 0 ? .max : .min) : Fixed(raw: sum)
    }

    @inlinable public static func - (lhs: Fixed, rhs: Fixed) -> Fixed {
        let (difference, overflow) = lhs.raw.subtractingReportingOverflow(rhs.raw)
        return overflow ? (rhs.raw < 0 ? .max : .min) : Fixed(raw: difference)
    }

    @inlinable public static prefix func - (value: Fixed) -> Fixed {
        value.raw == .min ? .max : Fixed(raw: -value.raw)
    }

    @inlinable public static func * (lhs: Fixed, rhs: Fixed) -> Fixed {
        let product = Int128(lhs.raw) * Int128(rhs.raw)
        let half = Int128(1) << 15
        let rounded = product >= 0 ? (product + half) >> 16 : -((-product + half) >> 16)
        return clamped(rounded)
    }

    @inlinable public static func / (lhs: Fixed, rhs: Fixed) -> Fixed {
        guard rhs.raw != 0 else { return lhs.raw < 0 ? .min : .max }
        return clamped((Int128(lhs.raw) << 16) / Int128(rhs.raw))
    }

    /// The product with a whole number (saturating), exact.
    @inlinable public static func * (lhs: Fixed, rhs: Int) -> Fixed {
        clamped(Int128(lhs.raw) * Int128(rhs))
    }

    /// The quotient by a whole number, truncated toward zero; by zero saturates.
    @inlinable public static func / (lhs: Fixed, rhs: Int) -> Fixed {
        guard rhs != 0 else { return lhs.raw < 0 ? .min : .max }
        return clamped(Int128(lhs.raw) / Int128(rhs))
    }

    @inlinable public static func += (lhs: inout Fixed, rhs: Fixed) { lhs = lhs + rhs }
    @inlinable public static func -= (lhs: inout Fixed, rhs: Fixed) { lhs = lhs - rhs }
    @inlinable public static func *= (lhs: inout Fixed, rhs: Fixed) { lhs = lhs * rhs }

    /// The absolute value (saturating).
    @inlinable public var magnitude: Fixed { raw < 0 ? -self : self }

    /// The floor of the exact square root; 0 for negative values.
    @inlinable public func squareRoot() -> Fixed {
        guard raw > 0 else { return .zero }
        let value = UInt64(raw)
        // Bit-by-bit integer square root of `raw << 16`: exact floor, no floating point. In 64
        // bits when the shifted value fits (every value below 2^48, as a game's are), else in 128.
        if value.leadingZeroBitCount >= 16 { return Fixed(raw: Int64(Self.floorSquareRoot(value << 16))) }
        return Fixed(raw: Int64(Self.floorSquareRoot(UInt128(value) << 16)))
    }

    /// The floor of the square root of `value`, bit by bit from the highest power of 4 in it.
    @usableFromInline static func floorSquareRoot<Integer: FixedWidthInteger & UnsignedInteger>(_ value: Integer) -> Integer {
        guard value > 0 else { return 0 }
        var remainder = value
        var root: Integer = 0
        var bit: Integer = 1 << ((Integer.bitWidth - 1 - value.leadingZeroBitCount) & ~1)
        while bit != 0 {
            if remainder >= root + bit {
                remainder -= root + bit
                root = (root >> 1) + bit
            } else {
                root >>= 1
            }
            bit >>= 2
        }
        return root
    }

    /// The sine of `angle`.
    public static func sin(_ angle: BinaryAngle) -> Fixed {
        // 65536 units per turn; 1024 table steps per turn, so 64 units per step.
        let units = Int(angle.rawValue)
        let quadrant = units >> 14
        let within = units & 0x3FFF
        let position = quadrant & 1 == 0 ? within : 0x4000 - within
        let index = position >> 6
        let fraction = Int64(position & 63)
        let low = Int64(SineTable.quarterWave[index])
        let high = index < 256 ? Int64(SineTable.quarterWave[index + 1]) : low
        let value = low + ((high - low) * fraction + 32) / 64
        return Fixed(raw: quadrant >= 2 ? -value : value)
    }

    /// The cosine of `angle`.
    public static func cos(_ angle: BinaryAngle) -> Fixed {
        sin(BinaryAngle(rawValue: angle.rawValue &+ 0x4000))
    }
}

/// An angle in binary units: 65536 per full turn, wrapping naturally (0 is +x, 16384 is +y).
public struct BinaryAngle: RawRepresentable, Hashable, Sendable {
    /// The angle in 1/65536 turns.
    public var rawValue: UInt16

    public init(rawValue: UInt16) {
        self.rawValue = rawValue
    }

    /// The angle `degrees` (whole degrees, any sign), rounded to the nearest unit.
    public init(degrees: Int) {
        let normalized = ((degrees % 360) + 360) % 360
        rawValue = UInt16(truncatingIfNeeded: (normalized * 65536 + 180) / 360)
    }

    /// The angle rotated by `delta` units, wrapping.
    public func rotated(by delta: Int16) -> BinaryAngle {
        BinaryAngle(rawValue: rawValue &+ UInt16(bitPattern: delta))
    }
}
