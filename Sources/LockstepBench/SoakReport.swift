import Foundation

/// A whole `lockstep bench --soak` run: settings, machine, the samples, what the load went
/// through, and the verdict. Written as JSON (schema `lockstep.soak/1`, see docs/BENCHMARKS.md "Soak").
public struct SoakReport: Codable, Sendable, Equatable {
    /// The schema identifier of this layout.
    public static let currentSchema = "lockstep.soak/1"

    /// What the load went through, over the whole run.
    public struct Counts: Codable, Sendable, Equatable {
        /// Rooms created through the admin API (one per match), and creations the server refused
        /// or did not answer (each retried a second later).
        public var matchesCreated = 0, roomCreationFailures = 0
        /// Matches in which every player got the schedule.
        public var matchesStarted = 0
        /// Matches that ended on their own (tick limit) and were replaced.
        public var matchesEnded = 0
        /// Matches the bench had to end through the admin API (they ran a minute past their tick limit).
        public var matchesForced = 0
        /// Players dropped mid-match to resume, and those that got the schedule again after resuming.
        public var reconnectsAsked = 0, reconnects = 0
        /// Spectators that joined mid-match and got the schedule.
        public var spectatorsJoined = 0
        /// WebSocket connections the bots opened.
        public var connectionsOpened = 0
        /// Frames measured and ERROR messages received.
        public var framesMeasured: UInt64 = 0, errors: UInt64 = 0

        public init() {}
    }

    /// Always `lockstep.soak/1` for this layout.
    public var schema: String
    /// When the report was made (ISO 8601, UTC), and the command line that made it.
    public var createdAt: String, commandLine: String
    /// The machine it ran on.
    public var machine: MachineDescription
    /// `child` (the bench started the server) or `external` (a URL).
    public var target: String
    /// Server event loops when the bench started the server (`null`: the server's default).
    public var serverLoops: Int?
    /// Rooms at once, players and spectators per match, tick rate, input delay.
    public var rooms: Int, players: Int, spectators: Int, tickRate: Int, inputDelay: Int
    /// Seconds: the run, its warm-up, between samples, a match.
    public var durationSeconds: Double, warmupSeconds: Double, sampleEverySeconds: Double, matchSeconds: Double
    /// The share of matches with a player that drops and resumes.
    public var reconnectShare: Double
    /// Connections when every room plays with its spectators.
    public var expectedConnections: Int
    /// The p99 budget of the bench (drawn on the chart; not judged here).
    public var p99BudgetMicros: Double
    /// The bands the verdict applied.
    public var thresholds: SoakThresholds
    /// What the load went through.
    public var counts: Counts
    /// The samples, in time order.
    public var samples: [SoakSample]
    /// Pass or fail, check by check.
    public var verdict: SoakVerdict

    /// The JSON text (pretty-printed, keys sorted).
    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
    }

    /// Parses a report written by `json()`.
    public static func decode(_ text: String) throws -> SoakReport {
        try JSONDecoder().decode(SoakReport.self, from: Data(text.utf8))
    }
}
