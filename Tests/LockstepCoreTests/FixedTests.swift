import Testing
@testable import LockstepCore

@Suite struct FixedTests {
    @Test func arithmeticMatchesReferenceValues() {
        #expect((Fixed(3) + Fixed(1, over: 2)).raw == 229_376)  // 3.5 × 65536
        #expect((Fixed(1, over: 3)).raw == 21_845)  // truncated toward zero
        #expect((Fixed(-1, over: 3)).raw == -21_845)
        #expect((Fixed(raw: 3) * Fixed.half).raw == 2)  // 1.5 raw rounds away from zero
        #expect((Fixed(raw: -3) * Fixed.half).raw == -2)
        #expect((Fixed(7) * Fixed(-6)) == Fixed(-42))
        #expect((Fixed(22) / Fixed(7)).raw == 205_970)  // floor(22/7 × 65536) = 205970
        #expect(Fixed(2).squareRoot().raw == 92_681)  // floor(√2 × 65536)
        #expect(Fixed(10_000).squareRoot() == Fixed(100))
        #expect(Fixed(-4).squareRoot() == .zero)
    }

    @Test func overflowAndDivisionByZeroSaturateInsteadOfTrapping() {
        #expect(Fixed.max + Fixed.one == .max)
        #expect(Fixed.min - Fixed.one == .min)
        #expect(Fixed(1_000_000_000) * Fixed(1_000_000_000) == .max)
        #expect(Fixed(5) / Fixed.zero == .max)
        #expect(Fixed(-5) / Fixed.zero == .min)
        #expect(-Fixed.min == .max)
    }

    @Test func sineAndCosineAreWithinTheStatedErrorOfTheTrueValues() {
        var worst = 0.0
        for raw in stride(from: 0, to: 65536, by: 7) {
            let angle = BinaryAngle(rawValue: UInt16(raw))
            let radians = Double(raw) / 65536 * 2 * Double.pi
            worst = max(worst, abs(Fixed.sin(angle).doubleValue - _sin(radians)))
            worst = max(worst, abs(Fixed.cos(angle).doubleValue - _cos(radians)))
        }
        #expect(worst < 1.0 / 4096)
        #expect(Fixed.sin(BinaryAngle(degrees: 90)) == .one)
        #expect(Fixed.cos(BinaryAngle(degrees: 180)) == -Fixed.one)
        #expect(Fixed.sin(BinaryAngle(degrees: 0)) == .zero)
    }

    @Test func squareRootIsTheExactFloorForSeededRandomValues() {
        var random = SeededRandom(seed: 7)
        for _ in 0..<4000 {
            // Every magnitude up to Int64.max: both the 64-bit path (below 2^48) and the 128-bit one.
            let bits = Int(random.next(below: 64))
            let value = Fixed(raw: Int64(random.next(below: UInt64(1) << bits)))
            let root = value.squareRoot()
            let r = Int128(root.raw)
            let target = Int128(value.raw) << 16
            #expect(r * r <= target && (r + 1) * (r + 1) > target)
        }
        for raw: Int64 in [1, 2, 3, 4, (1 << 48) - 1, 1 << 48, (1 << 48) + 1, .max] {
            let r = Int128(Fixed(raw: raw).squareRoot().raw)
            let target = Int128(raw) << 16
            #expect(r * r <= target && (r + 1) * (r + 1) > target, "raw \(raw)")
        }
    }
}

func _sin(_ x: Double) -> Double {
    // Taylor series with argument reduction, good to 1e-12: enough to judge a 2⁻¹² table.
    var y = x.truncatingRemainder(dividingBy: 2 * Double.pi)
    if y > Double.pi { y -= 2 * Double.pi }
    var term = y
    var sum = y
    for n in 1..<20 {
        term *= -y * y / Double((2 * n) * (2 * n + 1))
        sum += term
    }
    return sum
}

func _cos(_ x: Double) -> Double { _sin(x + Double.pi / 2) }
