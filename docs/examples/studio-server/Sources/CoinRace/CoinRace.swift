import LockstepCore

/// A race for coins on a ring of 64 cells: each player moves left, right or not at all each tick
/// (input byte 1, 2 or 0); a coin sits on one cell at a time, and whoever reaches it scores and a
/// new coin appears where the seeded generator says. First to 10 coins wins.
///
/// Everything a lockstep game needs: all state in the value, integer math, the random generator
/// seeded and kept in the state, no clock, a stable hash.
public struct CoinRace: DeterministicSimulation {
    public static let simulationID = "studio.coinrace"
    public static let simulationVersion: UInt16 = 1
    public static let playerRange = 2...4
    static let cells = 64
    static let target = 10

    public struct Snapshot: Sendable {
        var positions: [Int]
        var scores: [Int]
        var coin: Int
        var random: SeededRandom
    }

    private var state: Snapshot

    public init(players: Int, seed: UInt64) throws(ConfigurationError) {
        guard Self.playerRange.contains(players) else {
            throw ConfigurationError(field: "players", message: "must be 2 to 4 for \(Self.simulationID)")
        }
        var random = SeededRandom(seed: seed)
        let positions = (0..<players).map { $0 * Self.cells / players }
        let coin = Int(random.next(below: UInt64(Self.cells)))
        state = Snapshot(positions: positions, scores: Array(repeating: 0, count: players), coin: coin, random: random)
    }

    public mutating func step(_ frame: ConfirmedFrame) {
        guard !isOver else { return }
        for slot in 0..<min(frame.slotCount, state.positions.count) {
            switch frame.payload(of: slot).first {
            case 1: state.positions[slot] = (state.positions[slot] + Self.cells - 1) % Self.cells
            case 2: state.positions[slot] = (state.positions[slot] + 1) % Self.cells
            default: break
            }
        }
        // Slot order decides a tie: the same on every machine.
        for slot in state.positions.indices where state.positions[slot] == state.coin {
            state.scores[slot] += 1
            state.coin = Int(state.random.next(below: UInt64(Self.cells)))
            break
        }
    }

    public func hash() -> UInt64 {
        var hasher = StateHasher()
        for position in state.positions { hasher.combine(Int64(position)) }
        for score in state.scores { hasher.combine(Int64(score)) }
        hasher.combine(Int64(state.coin))
        hasher.combine(state.random.state.0)
        return hasher.value
    }

    public func snapshot() -> Snapshot { state }

    public mutating func restore(_ snapshot: Snapshot) { state = snapshot }

    public var isOver: Bool { state.scores.contains { $0 >= Self.target } }

    /// The scores so far, by slot.
    public var scores: [Int] { state.scores }
}
