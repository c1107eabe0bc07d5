import LockstepBots
import LockstepCore
import LockstepReplay

enum ReplayFixtures {
    /// A small chaos match: every record kind, every input status.
    static let smallChaos: [UInt8] = {
        var match = BotMatch(players: 3, ticks: 120, seed: 77)
        match.chaos = true
        match.checkpointInterval = 20
        // The fixture is built from code under test; a failure here fails every test that uses it.
        return (try? match.play().bytes) ?? []
    }()

    /// The repository's Replays/ folder, found from this source file.
    static var goldenDirectory: String {
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)  // Tests/LockstepReplayTests/ReplayFixtures.swift
        return parts.joined(separator: "/") + "/Replays"
    }
}
