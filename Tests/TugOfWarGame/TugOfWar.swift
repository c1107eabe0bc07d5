import LockstepCore

/// A second game, defined outside the package's modules as a studio's would be: a tug of war.
/// Even slots pull left, odd slots right; a payload's first byte is how hard (0–3); a seeded gust
/// nudges the rope each tick. It proves that the server, the room, the verifier and the client
/// run any game they are given, not only the arena.
public struct TugOfWar: DeterministicSimulation {
    public static let simulationID = "test.tug"
    public static let simulationVersion: UInt16 = 3
    public static let playerRange = 2...4

    public struct Snapshot {
        var rope: Int64
        var tick: UInt32
        var random: SeededRandom
        /// The test hook's tick (`perturb(atTick:)`), or `UInt32.max`: part of the state, so a
        /// rollback keeps it.
        var perturbedTick: UInt32
    }

    private var state: Snapshot

    public init(players: Int, seed: UInt64) throws(ConfigurationError) {
        guard Self.playerRange.contains(players) else {
            throw ConfigurationError(field: "players", message: "must be 2 to 4 for \(Self.simulationID)")
        }
        state = Snapshot(rope: 0, tick: 0, random: SeededRandom(seed: seed), perturbedTick: .max)
    }

    /// A test hook: this copy of the match moves the rope one step more at `tick`, so from that
    /// tick on its hash differs from every honest player's (a desync, as a bug would make one).
    public mutating func perturb(atTick tick: UInt32) {
        state.perturbedTick = tick
    }

    public mutating func step(_ frame: ConfirmedFrame) {
        for slot in 0..<frame.slotCount {
            let pull = Int64(min(3, frame.payload(of: slot).first ?? 0))
            state.rope += slot % 2 == 0 ? -pull : pull
        }
        state.rope += Int64(state.random.next(in: -1...1))
        if state.tick == state.perturbedTick { state.rope += 1 }
        state.tick &+= 1
    }

    public func hash() -> UInt64 {
        var hasher = StateHasher()
        hasher.combine(state.rope)
        hasher.combine(state.tick)
        return hasher.value
    }

    public func snapshot() -> Snapshot { state }

    public mutating func restore(_ snapshot: Snapshot) { state = snapshot }

    public var isOver: Bool { abs(state.rope) >= 1000 }
}
