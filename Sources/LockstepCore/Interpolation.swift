/// Interpolation helpers for rendering between ticks. Rendering is not part of the deterministic
/// simulation, so the floating-point forms are fine here; the fixed-point forms are exact.
public enum Interpolation {
    /// `a + (b - a) × t`; `t` is not clamped, so values past 1 extrapolate.
    @inlinable
    public static func linear(_ a: Double, _ b: Double, _ t: Double) -> Double {
        a + (b - a) * t
    }

    /// `a + (b - a) × t` in fixed point (with `Fixed`'s rounding).
    @inlinable
    public static func linear(_ a: Fixed, _ b: Fixed, _ t: Fixed) -> Fixed {
        a + (b - a) * t
    }

    /// Interpolates between two angles in radians along the shorter arc.
    ///
    /// Works for any inputs (not only −π...π or 0...2π): the difference is wrapped to (−π, π] first,
    /// so going from 350° to 10° passes through 0°, not 180°. The result is not normalized.
    public static func angle(_ a: Double, _ b: Double, _ t: Double) -> Double {
        let turn = 2 * Double.pi
        var delta = (b - a).truncatingRemainder(dividingBy: turn)
        if delta > Double.pi { delta -= turn } else if delta <= -Double.pi { delta += turn }
        return a + delta * t
    }

    /// Interpolates between two binary angles along the shorter arc (`t` in 0...65536 for 0...1).
    public static func angle(_ a: BinaryAngle, _ b: BinaryAngle, _ t: Int) -> BinaryAngle {
        let delta = Int(Int16(bitPattern: b.rawValue &- a.rawValue))
        let step = (delta * t) / 65536
        return BinaryAngle(rawValue: a.rawValue &+ UInt16(truncatingIfNeeded: step))
    }

    /// The cubic Hermite curve through `p0` (tangent `m0`) at t = 0 and `p1` (tangent `m1`) at t = 1.
    public static func hermite(_ p0: Double, _ m0: Double, _ p1: Double, _ m1: Double, _ t: Double) -> Double {
        let t2 = t * t
        let t3 = t2 * t
        return (2 * t3 - 3 * t2 + 1) * p0 + (t3 - 2 * t2 + t) * m0 + (-2 * t3 + 3 * t2) * p1 + (t3 - t2) * m1
    }

    /// A Catmull-Rom segment between `p1` and `p2`, with neighbours `p0` and `p3` giving the tangents:
    /// a smooth path through every sample.
    public static func catmullRom(_ p0: Double, _ p1: Double, _ p2: Double, _ p3: Double, _ t: Double) -> Double {
        hermite(p1, (p2 - p0) / 2, p2, (p3 - p1) / 2, t)
    }
}

/// A state a `SnapshotInterpolator` can blend: `t` = 0 gives `a`, 1 gives `b`, over 1 extrapolates.
public protocol Interpolatable {
    /// The blend of `a` and `b` at `t`.
    static func interpolate(_ a: Self, _ b: Self, _ t: Double) -> Self
}
