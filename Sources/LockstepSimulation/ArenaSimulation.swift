import LockstepCore

/// The reference battle simulation: 2 to 8 players in a walled 2D arena who move, aim and fire.
///
/// Projectiles hit, players lose health, die, respawn at a seeded spawn point and score kills;
/// the match ends on the score limit or the tick limit. Fixed-point and integer math only; the
/// random generator is part of the state; players and projectiles are processed in index order.
public struct ArenaSimulation: DeterministicSimulation, Hashable, Sendable {
    public static let simulationID = "lockstep.arena"
    public static let simulationVersion: UInt16 = 1
    /// The fewest and most players a match may have.
    public static let playerRange = 2...8

    /// The rules of this match.
    public let rules: ArenaRules
    /// The ticks stepped so far.
    public internal(set) var tick: Int32 = 0
    /// The players, by slot.
    public internal(set) var players: [ArenaPlayer]
    /// The projectile pool.
    public internal(set) var projectiles: [ArenaProjectile]
    /// The match's random generator.
    public internal(set) var random: SeededRandom

    public typealias Snapshot = ArenaSimulation

    public init(players count: Int, seed: UInt64) throws(ConfigurationError) {
        try self.init(players: count, seed: seed, rules: ArenaRules())
    }

    /// A match with explicit rules.
    public init(players count: Int, seed: UInt64, rules: ArenaRules) throws(ConfigurationError) {
        guard Self.playerRange.contains(count) else {
            throw ConfigurationError(field: "players", message: "must be 2 to 8 for \(Self.simulationID), not \(count)")
        }
        self.rules = rules
        random = SeededRandom(seed: seed)
        projectiles = Array(repeating: .inactive, count: count * ArenaRules.projectilesPerPlayer)
        players = []
        for slot in 0..<count {
            let spawn = ArenaRules.spawns[slot % ArenaRules.spawns.count]
            players.append(
                ArenaPlayer(
                    x: spawn.0, y: spawn.1, aim: BinaryAngle(rawValue: 0), health: Int32(ArenaRules.maxHealth),
                    isAlive: true, timer: 0, score: 0, deaths: 0))
        }
    }

    public var isOver: Bool {
        Int(tick) >= rules.tickLimit || players.contains { Int($0.score) >= rules.scoreLimit }
    }

    /// The slot with the most kills (lowest slot on a tie).
    public var leader: Int {
        var best = 0
        for index in players.indices where players[index].score > players[best].score { best = index }
        return best
    }

    public mutating func step(_ frame: ConfirmedFrame) {
        // The arrays are moved out for the tick (no copy: each stays uniquely referenced) and
        // worked on as buffers, then moved back.
        var players: [ArenaPlayer] = []
        var projectiles: [ArenaProjectile] = []
        swap(&players, &self.players)
        swap(&projectiles, &self.projectiles)
        defer {
            swap(&players, &self.players)
            swap(&projectiles, &self.projectiles)
        }
        players.withUnsafeMutableBufferPointer { players in
            projectiles.withUnsafeMutableBufferPointer { projectiles in
                var step = ArenaStep(players: players, projectiles: projectiles, random: random)
                var slot = 0
                while slot < players.count {
                    let input = slot < frame.slotCount ? ArenaInput(frame: frame, slot: slot) : .neutral
                    step.stepPlayer(slot, input)
                    slot += 1
                }
                step.stepProjectiles()
                random = step.random
            }
        }
        tick &+= 1
    }

    public func snapshot() -> ArenaSimulation { self }

    public mutating func restore(_ snapshot: ArenaSimulation) { self = snapshot }

    public func hash() -> UInt64 {
        var hasher = StateHasher()
        hasher.combine(tick)
        hasher.combine(UInt8(players.count))
        // Index loops, not for-in: debug builds allocate an iterator for the latter.
        var index = 0
        while index < players.count {
            let player = players[index]
            index += 1
            hasher.combine(player.x)
            hasher.combine(player.y)
            hasher.combine(player.aim.rawValue)
            hasher.combine(player.health)
            hasher.combine(player.isAlive)
            hasher.combine(player.timer)
            hasher.combine(player.score)
            hasher.combine(player.deaths)
        }
        index = 0
        while index < projectiles.count {
            let projectile = projectiles[index]
            index += 1
            hasher.combine(projectile.isActive)
            guard projectile.isActive else { continue }
            hasher.combine(projectile.owner)
            hasher.combine(projectile.x)
            hasher.combine(projectile.y)
            hasher.combine(projectile.vx)
            hasher.combine(projectile.vy)
            hasher.combine(projectile.ticksLeft)
        }
        hasher.combine(random)
        return hasher.value
    }
}
