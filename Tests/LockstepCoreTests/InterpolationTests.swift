import Testing
@testable import LockstepCore

@Suite struct InterpolationTests {
    @Test func angleInterpolationTakesTheShortArcAcrossThePiWrap() {
        let a = Double.pi - 0.1
        let b = -Double.pi + 0.1
        let mid = Interpolation.angle(a, b, 0.5)
        // Half way along the short arc is ±π, not 0.
        #expect(abs(abs(mid) - Double.pi) < 1e-9)
    }

    @Test func angleInterpolationTakesTheShortArcAcrossZero() {
        let a = 350.0 * Double.pi / 180
        let b = 10.0 * Double.pi / 180
        let quarter = Interpolation.angle(a, b, 0.25)
        #expect(abs(quarter - 355.0 * Double.pi / 180) < 1e-9)
        let binary = Interpolation.angle(BinaryAngle(degrees: 350), BinaryAngle(degrees: 10), 32768)
        #expect(binary.rawValue == 0 || binary.rawValue == 65535)
    }

    @Test func hermiteHitsItsEndpointsAndCatmullRomPassesThroughSamples() {
        #expect(Interpolation.hermite(2, 5, 7, -1, 0) == 2)
        #expect(Interpolation.hermite(2, 5, 7, -1, 1) == 7)
        #expect(Interpolation.catmullRom(0, 1, 2, 3, 0.5) == 1.5)  // straight line stays straight
        #expect(Interpolation.linear(Fixed(2), Fixed(4), Fixed.half) == Fixed(3))
    }

    struct Position: Interpolatable, Equatable {
        var x: Double
        static func interpolate(_ a: Position, _ b: Position, _ t: Double) -> Position {
            Position(x: Interpolation.linear(a.x, b.x, t))
        }
    }

    @Test func snapshotInterpolatorRendersBetweenTwoTicksAndCapsExtrapolation() throws {
        var view = SnapshotInterpolator<Position>(renderDelay: 0.05, maxExtrapolation: 0.1)
        #expect(view.sample(at: 0) == nil)
        view.push(Position(x: 0), at: 1.0)
        view.push(Position(x: 10), at: 1.1)
        let between = try #require(view.sample(at: 1.1))  // renders t = 1.05
        #expect(abs(between.x - 5) < 1e-9)
        let ahead = try #require(view.sample(at: 1.2))  // 0.05 past the newest
        #expect(abs(ahead.x - 15) < 1e-9)
        let capped = try #require(view.sample(at: 5.0))  // far past: held at +0.1
        #expect(abs(capped.x - 20) < 1e-9)
        #expect(view.sample(at: 0.5) == Position(x: 0))
    }
}
