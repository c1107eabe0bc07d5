/// One sample of a soak: the server's process figures, what its `/metrics` says, the bots' tick
/// latency over the interval that ended here, and the load's running counts.
public struct SoakSample: Codable, Sendable, Equatable {
    /// Seconds since the soak started.
    public var seconds: Double
    /// The server's resident set size (`VmRSS`), bytes; `nil` without its pid.
    public var rssBytes: UInt64?
    /// Entries of `/proc/PID/fd`; `nil` without the pid.
    public var openDescriptors: Int?
    /// `lockstep_rooms{state}`: waiting, running, and ended but not yet forgotten.
    public var roomsWaiting: Int?, roomsRunning: Int?, roomsEnded: Int?
    /// `lockstep_connections_open`.
    public var connectionsOpen: Int?
    /// `lockstep_players_connected` and `lockstep_spectators_connected`.
    public var playersConnected: Int?, spectatorsConnected: Int?
    /// Frames the bots measured during the interval.
    public var frames: UInt64 = 0
    /// The bots' tick latency over the interval (µs; `nil` when no frame arrived): p50 and p99.
    public var tickLatencyP50Micros: Double?, tickLatencyP99Micros: Double?
    /// p99 of the server's own tick-timer lateness over the interval, from the
    /// `lockstep_tick_lateness_seconds` buckets (the bucket's upper bound, µs; `nil`: no firing,
    /// or beyond the last bound).
    public var serverTimerLatenessP99Micros: Double?
    /// The server's CPU over the interval, % of one core.
    public var serverCPUPercent: Double?
    /// ERROR messages the bots received during the interval.
    public var errors: UInt64 = 0
    /// The code of the last of them (docs/PROTOCOL.md), `nil` when none came.
    public var lastErrorCode: UInt16?
    /// Running totals: matches started and ended, players that resumed, spectators that joined mid-match.
    public var matchesStarted = 0, matchesEnded = 0, reconnects = 0, spectatorsJoined = 0

    /// A sample taken `seconds` into the soak, every figure unknown.
    public init(seconds: Double) {
        self.seconds = seconds
    }
}
