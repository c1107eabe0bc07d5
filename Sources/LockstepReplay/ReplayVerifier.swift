import LockstepCore
import LockstepSimulation

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

    /// Whether every checkpoint matched.
    public var isOK: Bool { mismatch == nil }
}

/// Why a replay cannot be verified at all.
public enum VerificationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No simulation with this id and version is built in.
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

/// Re-simulates replays with the built-in simulations and compares every checkpoint.
public enum ReplayVerifier {
    /// The simulations this build can re-simulate, by id and version (a list, searched in order).
    public static let simulations: [(id: String, version: UInt16, verify: @Sendable (Replay) throws(VerificationError) -> VerificationReport)] = [
        (ArenaSimulation.simulationID, ArenaSimulation.simulationVersion, { replay throws(VerificationError) in try verify(replay, as: ArenaSimulation.self) }),
    ]

    /// Re-simulates `replay` with the simulation its header names.
    public static func verify(_ replay: Replay) throws(VerificationError) -> VerificationReport {
        guard let entry = simulations.first(where: { $0.id == replay.header.simulationID && $0.version == replay.header.simulationVersion }) else {
            throw .unknownSimulation(id: replay.header.simulationID, version: replay.header.simulationVersion)
        }
        return try entry.verify(replay)
    }

    /// Re-simulates `replay` with `Simulation`.
    public static func verify<Simulation: DeterministicSimulation>(_ replay: Replay, as type: Simulation.Type) throws(VerificationError) -> VerificationReport {
        var simulation: Simulation
        do {
            simulation = try Simulation(players: replay.slotCount, seed: replay.header.seed)
        } catch {
            throw .rejectedHeader(error.description)
        }
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
        if mismatch == nil, let footer = replay.footer {
            checked += 1
            if footer.finalHash != finalHash {
                mismatch = .init(tick: Tick(UInt32(max(0, replay.frameCount - 1))), expected: footer.finalHash, actual: finalHash)
            }
        }
        return VerificationReport(
            ticks: replay.frameCount, checkpointsChecked: checked, finalHash: finalHash, mismatch: mismatch,
            isTruncated: replay.footer == nil)
    }
}
