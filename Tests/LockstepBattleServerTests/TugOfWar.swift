import LockstepCore

/// A second game, defined only here: a tug of war. Even slots pull left, odd slots right; a
/// payload's first byte is how hard (0–3); a seeded gust nudges the rope each tick. It proves that
/// the server, the room and the verifier run any registered simulation, not only the arena.
struct TugOfWar: DeterministicSimulation {
    static let simulationID = "test.tug"
    static let simulationVersion: UInt16 = 3
    static let playerRange = 2...4

    struct Snapshot {
        var rope: Int64
        var tick: UInt32
        var random: SeededRandom
    }

    private var state: Snapshot

    init(players: Int, seed: UInt64) throws(ConfigurationError) {
        guard Self.playerRange.contains(players) else {
            throw ConfigurationError(field: "players", message: "must be 2 to 4 for \(Self.simulationID)")
        }
        state = Snapshot(rope: 0, tick: 0, random: SeededRandom(seed: seed))
    }

    mutating func step(_ frame: ConfirmedFrame) {
        for slot in 0..<frame.slotCount {
            let pull = Int64(min(3, frame.payload(of: slot).first ?? 0))
            state.rope += slot % 2 == 0 ? -pull : pull
        }
        state.rope += Int64(state.random.next(in: -1...1))
        state.tick &+= 1
    }

    func hash() -> UInt64 {
        var hasher = StateHasher()
        hasher.combine(state.rope)
        hasher.combine(state.tick)
        return hasher.value
    }

    func snapshot() -> Snapshot { state }

    mutating func restore(_ snapshot: Snapshot) { state = snapshot }

    var isOver: Bool { abs(state.rope) >= 1000 }

    /// The registry a server or verifier of this game is given: the arena and the tug of war.
    static var registry: SimulationRegistry {
        var registry = SimulationRegistry.reference
        registry.register(TugOfWar.self)
        return registry
    }
}
