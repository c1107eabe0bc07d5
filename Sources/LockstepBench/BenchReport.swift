import Foundation

/// A whole `lockstep bench` invocation: settings, machine, one result per room count, and the
/// sweep's answer. Written as JSON (schema `lockstep.bench/1`, see docs/BENCHMARKS.md).
public struct BenchReport: Codable, Sendable, Equatable {
    /// The schema identifier of this layout.
    public static let currentSchema = "lockstep.bench/1"

    /// Always `lockstep.bench/1` for this layout.
    public var schema: String
    /// When the report was made (ISO 8601, UTC).
    public var createdAt: String
    /// The command line that made it.
    public var commandLine: String
    /// The machine it ran on.
    public var machine: MachineDescription
    /// `child` (the bench started the server) or `external` (a URL).
    public var target: String
    /// Server event loops when the bench started the server (`null`: the server's default).
    public var serverLoops: Int?
    /// Players per room, spectators per room, tick rate, input delay.
    public var players: Int, spectators: Int, tickRate: Int, inputDelay: Int
    /// Phases, seconds.
    public var rampSeconds: Double, warmupSeconds: Double, durationSeconds: Double
    /// How latency was put on the server's clock: `none` (one host, shared CLOCK_MONOTONIC) or `ping`.
    public var clockOffset: String
    /// The p99 budget a run must hold, microseconds.
    public var p99BudgetMicros: Double
    /// The histogram's relative error bound on a reported percentile.
    public var percentileRelativeError: Double
    /// One result per room count, in the order run.
    public var runs: [BenchResult]
    /// The largest room count that passed (`null`: none did).
    public var maxRoomsWithinBudget: Int?

    /// The JSON text (pretty-printed, keys sorted).
    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
    }

    /// Parses a report written by `json()`.
    public static func decode(_ text: String) throws -> BenchReport {
        try JSONDecoder().decode(BenchReport.self, from: Data(text.utf8))
    }
}
