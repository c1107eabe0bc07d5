import LockstepCore

/// One player's state in the arena.
public struct ArenaPlayer: Hashable, Sendable {
    public var x: Fixed
    public var y: Fixed
    public var aim: BinaryAngle
    public var health: Int32
    public var isAlive: Bool
    /// Ticks until respawn while dead; ticks until the next shot while alive.
    public var timer: Int32
    public var score: Int32
    public var deaths: Int32
}

/// One projectile slot of the fixed pool.
public struct ArenaProjectile: Hashable, Sendable {
    public var isActive: Bool
    public var owner: UInt8
    public var x: Fixed
    public var y: Fixed
    public var vx: Fixed
    public var vy: Fixed
    public var ticksLeft: Int32

    static var inactive: ArenaProjectile {
        ArenaProjectile(isActive: false, owner: 0, x: .zero, y: .zero, vx: .zero, vy: .zero, ticksLeft: 0)
    }
}
