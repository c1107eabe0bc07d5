import LockstepCore

/// A seeded bot that produces plausible arena inputs: it wanders between waypoints, sweeps its aim
/// and fires in bursts. The same seed and slot give the same inputs, tick by tick.
public struct ArenaBot: Sendable {
    private var random: SeededRandom
    private var moveX: Int8 = 0
    private var moveY: Int8 = 0
    private var aim: UInt16
    private var turn: Int16
    private var ticksToChange = 0

    /// A bot for `slot` in a match seeded with `seed`.
    public init(seed: UInt64, slot: Int) {
        random = SeededRandom(seed: seed ^ (0x9E37_79B9_7F4A_7C15 &* UInt64(slot + 1)))
        aim = UInt16(truncatingIfNeeded: random.next())
        turn = Int16(truncatingIfNeeded: random.next(in: -900...900))
    }

    /// The bot's input for the next tick.
    public mutating func nextInput() -> ArenaInput {
        if ticksToChange <= 0 {
            moveX = Int8(random.next(in: -127...127))
            moveY = Int8(random.next(in: -127...127))
            turn = Int16(random.next(in: -900...900))
            ticksToChange = random.next(in: 20...90)
        }
        ticksToChange -= 1
        aim = aim &+ UInt16(bitPattern: turn)
        let fire = random.chance(1, in: 3)
        return ArenaInput(moveX: moveX, moveY: moveY, aim: BinaryAngle(rawValue: aim), fire: fire)
    }
}
