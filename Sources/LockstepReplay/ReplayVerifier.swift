import LockstepCore

/// The outcome of re-simulating one replay.
public struct VerificationReport: Equatable, Sendable {
    /// The first checkpoint whose hash differs.
    public struct Mismatch: Equatable, Sendable {
        public var tick: Tick
        public var expected: UInt64
        public var actual: UInt64
    }

    /// Frames re-simulated.
    public var ticks: Int
    /// Checkpoints compared (including the footer's final hash when present).
    public var checkpointsChecked: Int
    /// The state hash after the last frame.
    public var finalHash: UInt64
    /// The first mismatch, or `nil` when every checkpoint matched.
    public var mismatch: Mismatch?
    /// Whether the replay was cut short (recovered) rather than complete.
    public var isTruncated: Bool
    /// Whether the footer recorded the final hash. A footer's final hash of 0 means the recorder
    /// did not know it (a room of a game the server does not run): it is not compared then.
    public var isFinalHashRecorded = true

    /// Whether every checkpoint matched.
    public var isOK: Bool { mismatch == nil }
}

/// Why a replay cannot be verified at all.
public enum VerificationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No simulation with this id and version is registered.
    case unknownSimulation(id: String, version: UInt16)
    /// The simulation refused the header (for example the player count).
    case rejectedHeader(String)

    public var description: String {
        switch self {
        case .unknownSimulation(let id, let version): "unknown simulation \(id) version \(version)"
        case .rejectedHeader(let message): "the simulation rejects this replay: \(message)"
        }
    }
}

/// Re-simulates replays with registered simulations and compares every checkpoint.
public enum ReplayVerifier {
    /// Re-simulates `replay` with the simulation its header names, found in `simulations`.
    ///
    /// - Throws: `VerificationError.unknownSimulation` when it is not registered,
    ///   `.rejectedHeader` when it refuses the header.
    public static func verify(_ replay: Replay, using simulations: SimulationRegistry) throws(VerificationError)
        -> VerificationReport
    {
        guard let entry = simulations.entry(id: replay.header.simulationID, version: replay.header.simulationVersion) else {
            throw .unknownSimulation(id: replay.header.simulationID, version: replay.header.simulationVersion)
        }
        let simulation: any DeterministicSimulation
        do {
            simulation = try entry.make(players: replay.slotCount, seed: replay.header.seed)
        } catch {
            throw .rejectedHeader(error.description)
        }
        return resimulate(replay, from: simulation)
    }

    /// Re-simulates `replay` with `Simulation`.
    public static func verify<Simulation: DeterministicSimulation>(_ replay: Replay, as type: Simulation.Type) throws(VerificationError) -> VerificationReport {
        let simulation: Simulation
        do {
            simulation = try Simulation(players: replay.slotCount, seed: replay.header.seed)
        } catch {
            throw .rejectedHeader(error.description)
        }
        return resimulate(replay, from: simulation)
    }

    /// Steps `simulation` (a new match) through every frame of `replay`, checking each checkpoint
    /// and the footer's final hash.
    static func resimulate<Simulation: DeterministicSimulation>(_ replay: Replay, from start: Simulation) -> VerificationReport {
        var simulation = start
        // Checkpoints sorted by tick (file order is already by tick; sorting makes it certain).
        let checkpoints = replay.checkpoints.sorted { $0.tick < $1.tick }
        var next = 0
        var checked = 0
        var frame = ConfirmedFrame(tick: .zero, reservingSlots: replay.slotCount, payloadBytes: 64)
        var mismatch: VerificationReport.Mismatch?
        for index in 0..<replay.frameCount {
            replay.frame(at: index, into: &frame)
            simulation.step(frame)
            while next < checkpoints.count && checkpoints[next].tick.rawValue < UInt32(index) { next += 1 }
            while next < checkpoints.count && checkpoints[next].tick.rawValue == UInt32(index) {
                let actual = simulation.hash()
                checked += 1
                if actual != checkpoints[next].hash && mismatch == nil {
                    mismatch = .init(tick: checkpoints[next].tick, expected: checkpoints[next].hash, actual: actual)
                }
                next += 1
            }
            if mismatch != nil { break }
        }
        let finalHash = simulation.hash()
        var isFinalHashRecorded = false
        if mismatch == nil, let footer = replay.footer, footer.finalHash != 0 {
            isFinalHashRecorded = true
            checked += 1
            if footer.finalHash != finalHash {
                mismatch = .init(tick: Tick(UInt32(max(0, replay.frameCount - 1))), expected: footer.finalHash, actual: finalHash)
            }
        }
        return VerificationReport(
            ticks: replay.frameCount, checkpointsChecked: checked, finalHash: finalHash, mismatch: mismatch,
            isTruncated: replay.footer == nil, isFinalHashRecorded: isFinalHashRecorded)
    }
}
