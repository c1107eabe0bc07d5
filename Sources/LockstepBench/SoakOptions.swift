/// What one `lockstep bench --soak` run does: a steady half-capacity load of short matches that
/// end and are replaced, with reconnects and spectators, sampled at a fixed interval.
///
/// Validated by `validate()`: impossible combinations are rejected with a message, never adjusted.
public struct SoakOptions: Sendable, Equatable {
    /// Rooms playing at once by default: half of 250, the largest room count that held the 2 ms
    /// p99 budget with no missed tick on the reference machine (docs/BENCHMARKS.md, sweep 1, 4 players).
    public static let defaultRooms = 125

    /// The server, the room shape (players, spectators per match, tick rate, input delay), the
    /// bots' seed and loops, and the p99 budget drawn on the chart. Its room counts and phases are unused.
    public var bench: BenchOptions
    /// Rooms playing at once (each replaced by a new one when its match ends).
    public var rooms = SoakOptions.defaultRooms
    /// Seconds the soak runs.
    public var durationSeconds: Double
    /// Seconds at the start whose samples set the baselines and are not judged (`nil`: a quarter of
    /// the run, so an hour's warm-up covers the server's 10-minute ended-room retention).
    public var warmupSeconds: Double?
    /// Seconds between samples.
    public var sampleEverySeconds = 60.0
    /// Seconds a match lasts (its tick limit); the first matches are shorter, staggered, so rooms
    /// end and are replaced at a steady rate of about `rooms / matchSeconds` a second.
    public var matchSeconds = 60.0
    /// The share of matches in which one player drops its connection mid-match and resumes.
    public var reconnectShare = 0.25
    /// Seconds a dropped player stays away before it resumes.
    public var reconnectPauseSeconds = 1.0
    /// The bands the verdict holds the run to.
    public var thresholds = SoakThresholds()

    /// Options for a soak of `durationSeconds` against `bench.target`, with the defaults above.
    public init(bench: BenchOptions, durationSeconds: Double) {
        self.bench = bench
        self.durationSeconds = durationSeconds
    }

    /// The warm-up in effect.
    public var effectiveWarmupSeconds: Double { warmupSeconds ?? durationSeconds / 4 }

    /// Connections at once when every room is playing with its spectators.
    public var expectedConnections: Int { rooms * bench.connectionsPerRoom }

    /// Checks the options; returns the first problem as a sentence, or `nil`.
    public func validate() -> String? {
        if !(1...5000).contains(rooms) { return "room count \(rooms) is not in 1...5000" }
        if !(1...16).contains(bench.players) { return "players must be in 1...16" }
        if !(0...64).contains(bench.spectators) { return "spectators must be in 0...64" }
        if !(1...240).contains(bench.tickRate) { return "the tick rate must be in 1...240 Hz" }
        if !(0...30).contains(bench.inputDelay) { return "the input delay must be in 0...30 ticks" }
        if !(1...64).contains(bench.clientLoops) { return "client loops must be in 1...64" }
        if expectedConnections > 60_000 { return "more than 60,000 connections from one address" }
        if !(durationSeconds >= 5 && durationSeconds <= 7 * 86_400) { return "the soak must last 5 s to 7 days" }
        if !(sampleEverySeconds >= 1 && sampleEverySeconds <= 3600) {
            return "the sample interval must be in 1...3600 s"
        }
        if !(matchSeconds >= 2 && matchSeconds <= 86_400) { return "a match must last 2 s to 1 day" }
        if !(0...1).contains(reconnectShare) { return "the reconnect share must be in 0...1" }
        if !(reconnectPauseSeconds >= 0 && reconnectPauseSeconds <= 10) {
            return "the reconnect pause must be in 0...10 s"
        }
        let warmup = effectiveWarmupSeconds
        if !(warmup >= 0 && warmup < durationSeconds) { return "the warm-up must be shorter than the soak" }
        if ((durationSeconds - warmup) / sampleEverySeconds).rounded(.down) < 3 {
            return "the soak after warm-up must hold at least 3 samples: a longer soak or a shorter --sample-every"
        }
        return nil
    }
}
