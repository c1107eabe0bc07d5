import LockstepCore
import LockstepSimulation

/// The arena's bot for a server-run seat: it moves like `ArenaBot` (seeded waypoints), and from
/// the match's state aims at the nearest living opponent and fires only while it is alive and
/// someone is. What the `lockstep` executable registers for `lockstep.arena`'s bot seats.
public struct ArenaSeatBot: SimulationBot {
    private var wander: ArenaBot
    private let slot: Int

    /// The bot for `slot` of a match seeded with `seed`.
    public init(slot: Int, seed: UInt64) {
        self.slot = slot
        wander = ArenaBot(seed: seed ^ 0x5EA7_B075, slot: slot)
    }

    /// Makes seat bots for the registry (`SimulationRegistry.register(_:bot:)`).
    public static let factory: SimulationBotFactory = { slot, seed in ArenaSeatBot(slot: slot, seed: seed) }

    public mutating func input(for tick: Tick, simulation: any DeterministicSimulation, into payload: inout [UInt8]) {
        var input = wander.nextInput()
        if let arena = simulation as? ArenaSimulation, slot < arena.players.count {
            let me = arena.players[slot]
            var nearest: (distance: Int64, dx: Int64, dy: Int64)?
            for index in arena.players.indices where index != slot && arena.players[index].isAlive {
                let dx = (arena.players[index].x - me.x).raw >> 8
                let dy = (arena.players[index].y - me.y).raw >> 8
                let distance = dx * dx + dy * dy
                if nearest.map({ distance < $0.distance }) ?? true { nearest = (distance, dx, dy) }
            }
            if let nearest {
                input.aim = BinaryAngle(rawValue: Self.angle(dx: nearest.dx, dy: nearest.dy))
                input.fire = input.fire && me.isAlive
            } else {
                input.fire = false
            }
        }
        let aim = input.aim?.rawValue ?? 0
        payload.removeAll(keepingCapacity: true)
        payload.append(UInt8(bitPattern: input.moveX))
        payload.append(UInt8(bitPattern: input.moveY))
        payload.append(UInt8(aim & 0xFF))
        payload.append(UInt8(aim >> 8))
        payload.append(input.fire ? 1 : 0)
    }

    /// The binary angle of the vector (`dx`, `dy`), in integers: an octant and
    /// atan(t) ≈ π/4·t + 0.273·t·(1 − t) within it (off by under a third of a degree).
    public static func angle(dx: Int64, dy: Int64) -> UInt16 {
        var x = abs(dx)
        var y = abs(dy)
        guard x != 0 || y != 0 else { return 0 }
        while max(x, y) > 1 << 24 {
            x >>= 1
            y >>= 1
        }
        let (small, large) = x >= y ? (y, x) : (x, y)
        // 8192 units are an eighth of a turn; 0.273 rad is 2847 units.
        var angle = (8192 * small + 2847 * small * (large - small) / large) / max(1, large)
        if y > x { angle = 16384 - angle }
        if dx < 0 { angle = 32768 - angle }
        if dy < 0 { angle = 65536 - angle }
        return UInt16(truncatingIfNeeded: angle)
    }
}
