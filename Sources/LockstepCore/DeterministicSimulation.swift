/// A game simulation that can run in lockstep: the same frames from the same start give the same
/// state, bit for bit, on every machine.
///
/// Rules (as in GGPO's checklist): all state inside the value, a fixed time step per `step`, the
/// random generator seeded and kept in the state, no wall clock, no floating point, and never the
/// iteration order of a `Dictionary` or `Set`.
public protocol DeterministicSimulation {
    /// A saved state that `restore` can return to.
    associatedtype Snapshot

    /// The simulation's stable identifier, written into replays (for example `lockstep.arena`).
    static var simulationID: String { get }
    /// The version of its rules; a change that alters any outcome must bump it.
    static var simulationVersion: UInt16 { get }

    /// The player counts a match may have (every count from 1 to 64 unless the game says otherwise).
    static var playerRange: ClosedRange<Int> { get }

    /// A new match for `players` slots, seeded with `seed`.
    init(players: Int, seed: UInt64) throws(ConfigurationError)

    /// Advances one tick with every slot's input for that tick.
    mutating func step(_ frame: ConfirmedFrame)

    /// The 64-bit hash of the whole state (stable across machines and runs).
    func hash() -> UInt64

    /// The current state, to return to later.
    func snapshot() -> Snapshot

    /// Returns to a saved state.
    mutating func restore(_ snapshot: Snapshot)

    /// Whether the match is over (score or tick limit reached).
    var isOver: Bool { get }
}

extension DeterministicSimulation {
    /// Any count a room can hold: 1 to 64 players.
    public static var playerRange: ClosedRange<Int> { 1...64 }
}
