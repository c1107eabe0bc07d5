import LockstepCore

/// GGPO's and GGRS's sync test: every tick, roll back `checkDistance` ticks and re-simulate, and
/// compare the state hashes with those of the first run. A simulation that reads a clock, an
/// unseeded random source, uninitialised or global state, or a `Dictionary`'s order shows up as a
/// mismatch at the first tick where it matters.
public struct SyncTester<Simulation: DeterministicSimulation> {
    /// A tick whose re-simulation gave another hash.
    public struct Mismatch: Equatable, Sendable {
        public var tick: Tick
        public var first: UInt64
        public var resimulated: UInt64
    }

    /// How many ticks each check rolls back.
    public let checkDistance: Int
    private var simulation: Simulation
    private var snapshots: [(tick: Tick, state: Simulation.Snapshot)] = []
    private var frames: [ConfirmedFrame] = []
    private var hashes: [UInt64] = []
    private var next: Tick
    /// Ticks checked so far.
    public private(set) var checkedTicks = 0

    public init(initial: Simulation, checkDistance: Int = 2, start: Tick = .zero) {
        self.checkDistance = max(1, checkDistance)
        simulation = initial
        next = start
    }

    /// Steps one frame, then rolls back `checkDistance` ticks and re-simulates them.
    ///
    /// - Returns: the first tick whose hash differed, or `nil`.
    public mutating func step(_ frame: ConfirmedFrame) -> Mismatch? {
        snapshots.append((frame.tick, simulation.snapshot()))
        frames.append(frame)
        simulation.step(frame)
        hashes.append(simulation.hash())
        if frames.count > checkDistance {
            snapshots.removeFirst()
            frames.removeFirst()
            hashes.removeFirst()
        }
        // Roll back to the oldest kept snapshot and run the kept frames again.
        let current = simulation.snapshot()
        simulation.restore(snapshots[0].state)
        var mismatch: Mismatch?
        for (index, replayed) in frames.enumerated() {
            simulation.step(replayed)
            let hash = simulation.hash()
            if hash != hashes[index] && mismatch == nil {
                mismatch = Mismatch(tick: replayed.tick, first: hashes[index], resimulated: hash)
            }
        }
        simulation.restore(current)
        checkedTicks += 1
        next = frame.tick.next
        return mismatch
    }
}
