import LockstepCore

/// One tick's work on the arena's state, borrowed as buffers for the tick (`ArenaSimulation.step`):
/// the arrays' uniqueness is checked once per tick instead of at every write. Every index used is
/// a slot (below the player count) or a pool index (below the pool size), by construction.
struct ArenaStep {
    let players: UnsafeMutableBufferPointer<ArenaPlayer>
    let projectiles: UnsafeMutableBufferPointer<ArenaProjectile>
    var random: SeededRandom

    mutating func stepPlayer(_ slot: Int, _ input: ArenaInput) {
        var player = players[slot]
        defer { players[slot] = player }
        if !player.isAlive {
            player.timer -= 1
            if player.timer <= 0 { respawn(&player) }
            return
        }
        if player.timer > 0 { player.timer -= 1 }
        if let aim = input.aim { player.aim = aim }
        // Velocity from the stick, capped at top speed on diagonals.
        var vx = ArenaRules.playerSpeed * Int(input.moveX) / 127
        var vy = ArenaRules.playerSpeed * Int(input.moveY) / 127
        let speedSquared = vx * vx + vy * vy
        let cap = ArenaRules.playerSpeed * ArenaRules.playerSpeed
        if speedSquared > cap {
            let scale = ArenaRules.playerSpeed / speedSquared.squareRoot()
            vx = vx * scale
            vy = vy * scale
        }
        // Move one axis at a time so players slide along walls.
        let nextX = player.x + vx
        if !ArenaSimulation.blocked(x: nextX, y: player.y) { player.x = nextX }
        let nextY = player.y + vy
        if !ArenaSimulation.blocked(x: player.x, y: nextY) { player.y = nextY }
        if input.fire && player.timer == 0 {
            fire(from: player, owner: slot)
            player.timer = Int32(ArenaRules.fireCooldown)
        }
    }

    mutating func respawn(_ player: inout ArenaPlayer) {
        let spawn = ArenaRules.spawns[Int(random.next(below: UInt64(ArenaRules.spawns.count)))]
        player.x = spawn.0
        player.y = spawn.1
        player.health = Int32(ArenaRules.maxHealth)
        player.isAlive = true
        player.timer = 0
    }

    func fire(from player: ArenaPlayer, owner: Int) {
        var free = 0
        while free < projectiles.count && projectiles[free].isActive { free += 1 }
        guard free < projectiles.count else { return }
        let dx = Fixed.cos(player.aim)
        let dy = Fixed.sin(player.aim)
        projectiles[free] = ArenaProjectile(
            isActive: true, owner: UInt8(owner),
            x: player.x + dx * ArenaRules.playerRadius, y: player.y + dy * ArenaRules.playerRadius,
            vx: dx * ArenaRules.projectileSpeed, vy: dy * ArenaRules.projectileSpeed,
            ticksLeft: Int32(ArenaRules.projectileLifetime))
    }

    func stepProjectiles() {
        let radiusSquared = ArenaRules.playerRadius * ArenaRules.playerRadius
        for index in projectiles.indices where projectiles[index].isActive {
            var shot = projectiles[index]
            shot.x += shot.vx
            shot.y += shot.vy
            shot.ticksLeft -= 1
            if shot.ticksLeft <= 0 || ArenaSimulation.insideWall(x: shot.x, y: shot.y, margin: .zero) {
                projectiles[index] = .inactive
                continue
            }
            var hit = false
            for target in players.indices where target != Int(shot.owner) && players[target].isAlive {
                let dx = players[target].x - shot.x
                let dy = players[target].y - shot.y
                guard dx * dx + dy * dy <= radiusSquared else { continue }
                damage(target, by: Int(shot.owner))
                hit = true
                break
            }
            projectiles[index] = hit ? .inactive : shot
        }
    }

    func damage(_ target: Int, by shooter: Int) {
        players[target].health -= Int32(ArenaRules.projectileDamage)
        guard players[target].health <= 0 else { return }
        players[target].isAlive = false
        players[target].timer = Int32(ArenaRules.respawnDelay)
        players[target].deaths += 1
        players[shooter].score += 1
    }
}

extension ArenaSimulation {
    /// Whether a player centred at (x, y) would overlap a wall or leave the arena.
    static func blocked(x: Fixed, y: Fixed) -> Bool {
        let r = ArenaRules.playerRadius
        if x < r || y < r || x > ArenaRules.width - r || y > ArenaRules.height - r { return true }
        return insideWall(x: x, y: y, margin: r)
    }

    /// Whether (x, y) lies inside a wall grown by `margin`, or outside the arena.
    static func insideWall(x: Fixed, y: Fixed, margin: Fixed) -> Bool {
        if x < .zero || y < .zero || x > ArenaRules.width || y > ArenaRules.height { return true }
        var index = 0
        while index < ArenaRules.walls.count {
            let wall = ArenaRules.walls[index]
            if x > wall.0 - margin && x < wall.2 + margin && y > wall.1 - margin && y < wall.3 + margin { return true }
            index += 1
        }
        return false
    }
}
