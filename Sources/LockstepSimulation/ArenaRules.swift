import LockstepCore

/// The tunable rules of an arena match. Changing a default changes outcomes: bump
/// `ArenaSimulation.simulationVersion` when you do.
public struct ArenaRules: Hashable, Sendable {
    /// The match ends when a player reaches this many kills (default 25).
    public var scoreLimit: Int
    /// The match ends after this many ticks (default 54,000: 30 minutes at 30 Hz).
    public var tickLimit: Int

    public init(scoreLimit: Int = 25, tickLimit: Int = 54_000) {
        self.scoreLimit = scoreLimit
        self.tickLimit = tickLimit
    }

    // The Fixed constants are computed, not stored: a stored static is a lazily initialised
    // global, checked on every use (the step reads them per player and per projectile).

    /// Arena size in world units.
    static var width: Fixed { Fixed(960) }
    static var height: Fixed { Fixed(640) }
    /// Player radius.
    static var playerRadius: Fixed { Fixed(16) }
    /// Top speed per tick.
    static var playerSpeed: Fixed { Fixed(6) }
    /// Projectile speed per tick.
    static var projectileSpeed: Fixed { Fixed(18) }
    /// Ticks a projectile flies before it fades.
    static let projectileLifetime = 50
    /// Damage per hit.
    static let projectileDamage = 25
    /// Health at spawn.
    static let maxHealth = 100
    /// Ticks between shots.
    static let fireCooldown = 8
    /// Ticks dead before respawn.
    static let respawnDelay = 45
    /// Live projectiles per player at most (the pool is `players × this`).
    static let projectilesPerPlayer = 6

    /// Axis-aligned walls inside the arena: (minX, minY, maxX, maxY).
    static let walls: [(Fixed, Fixed, Fixed, Fixed)] = [
        (Fixed(200), Fixed(150), Fixed(260), Fixed(490)),
        (Fixed(700), Fixed(150), Fixed(760), Fixed(490)),
        (Fixed(400), Fixed(300), Fixed(560), Fixed(340)),
        (Fixed(440), Fixed(40), Fixed(520), Fixed(100)),
        (Fixed(440), Fixed(540), Fixed(520), Fixed(600)),
    ]

    /// Spawn points, chosen by the seeded generator at each (re)spawn.
    static let spawns: [(Fixed, Fixed)] = [
        (Fixed(60), Fixed(60)), (Fixed(900), Fixed(580)), (Fixed(900), Fixed(60)), (Fixed(60), Fixed(580)),
        (Fixed(480), Fixed(200)), (Fixed(480), Fixed(440)), (Fixed(120), Fixed(320)), (Fixed(840), Fixed(320)),
    ]
}
