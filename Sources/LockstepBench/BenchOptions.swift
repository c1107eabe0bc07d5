/// What one `lockstep bench` invocation runs: the load, the phases, and the target server.
///
/// Validated by `validate()`: impossible combinations are rejected with a message, never adjusted.
public struct BenchOptions: Sendable, Equatable {
    /// Where the server comes from.
    public enum Target: Sendable, Equatable {
        /// Start `lockstep serve` as a child process (the executable at `executable`).
        case child(executable: String, serverLoops: Int?)
        /// An already running server: its play URL (`ws://HOST:PORT/v1/play`), its admin base URL
        /// (`http://HOST:PORT`) and admin key; `serverPID` (same host only) enables CPU and RSS figures.
        case external(playURL: BenchURL, adminURL: BenchURL, adminKey: String, serverPID: Int32?)
    }

    /// How the server's clock is related to this host's.
    public enum ClockOffsetMode: String, Sendable, Equatable, CaseIterable {
        /// `none` when the play host is a loopback address (one host, one CLOCK_MONOTONIC), else `ping`.
        case auto
        /// Estimate each connection's offset with PING/PONG (docs/PROTOCOL.md "Clock alignment").
        case ping
        /// Use the clocks as they are (client and server on one host).
        case none
    }

    /// The server under test.
    public var target: Target
    /// Extra arguments for a child server's `lockstep serve` command line (after the bench's own).
    public var serverArguments: [String] = []
    /// How latency is put on the server's clock.
    public var clockOffset = ClockOffsetMode.auto
    /// Room counts to run, one run each (a sweep when more than one).
    public var roomCounts: [Int] = [10]
    /// Players per room (each a bot sending one input per tick).
    public var players = 4
    /// Spectators per room (receive frames, send nothing).
    public var spectators = 0
    /// The rooms' tick rate, Hz (30: the reference load).
    public var tickRate = 30
    /// The rooms' input delay in ticks (2: inputs are sent two periods ahead, as a real client does).
    public var inputDelay = 2
    /// Seconds over which rooms are connected (spreads the handshakes; 0 connects all at once).
    public var rampSeconds = 1.0
    /// Seconds of play after every room started and before measuring (lets caches and queues settle).
    public var warmupSeconds = 2.0
    /// Measured seconds.
    public var durationSeconds = 10.0
    /// Client event loops for the bots (1: on a 2-core machine the server keeps the other core).
    public var clientLoops = 1
    /// The p99 tick-latency budget in microseconds that a run must hold to pass (2 ms at 30 Hz).
    public var p99BudgetMicros = 2000.0
    /// Seed of the bots' inputs.
    public var seed: UInt64 = 1
    /// Before each run, wait up to this many seconds for the machine to be quiet (under 15 % of
    /// one core busy over a second), so other processes do not share the CPUs being measured; 0: do not wait.
    public var quietWaitSeconds = 0.0
    /// How many times a run is repeated when other processes used over 10 % of a core during its
    /// window (the figures would not be the server's own); the last attempt is kept.
    public var busyRetries = 0
    /// Seconds allowed for connecting and starting every room before the run is abandoned.
    public var startTimeoutSeconds = 30.0
    /// Run a `StallWitness` during each window (one thread per CPU waking every millisecond) to
    /// tell the machine's pauses from the server's own tail.
    public var watchesStalls = true

    /// Options aimed at `target` with the defaults above.
    public init(target: Target) {
        self.target = target
    }

    /// Whether the bots measure the clock offset with PING/PONG (resolving `auto` by the play host).
    public var measuresClockOffset: Bool {
        switch clockOffset {
        case .ping: return true
        case .none: return false
        case .auto:
            guard case .external(let url, _, _, _) = target else { return false }
            return !(url.host.hasPrefix("127.") || url.host == "localhost" || url.host == "::1")
        }
    }

    /// Connections per room.
    public var connectionsPerRoom: Int { players + spectators }

    /// The longest a single run may take, all phases and the start timeout included (the hard deadline).
    public var hardDeadlineSeconds: Double { rampSeconds + warmupSeconds + durationSeconds + startTimeoutSeconds + 15 }

    /// Checks the options; returns the first problem as a sentence, or `nil`.
    public func validate() -> String? {
        if roomCounts.isEmpty { return "no room count given" }
        if let bad = roomCounts.first(where: { $0 < 1 || $0 > 5000 }) { return "room count \(bad) is not in 1...5000" }
        if !(1...16).contains(players) { return "players must be in 1...16" }
        if !(0...64).contains(spectators) { return "spectators must be in 0...64" }
        if !(1...240).contains(tickRate) { return "the tick rate must be in 1...240 Hz" }
        if !(0...30).contains(inputDelay) { return "the input delay must be in 0...30 ticks" }
        if !(0...600).contains(rampSeconds) { return "the ramp must be in 0...600 s" }
        if !(0...600).contains(warmupSeconds) { return "the warm-up must be in 0...600 s" }
        if !(durationSeconds >= 0.5 && durationSeconds <= 3600) { return "the duration must be in 0.5...3600 s" }
        if !(0...3600).contains(quietWaitSeconds) { return "the quiet wait must be in 0...3600 s" }
        if !(0...20).contains(busyRetries) { return "busy retries must be in 0...20" }
        if !(1...64).contains(clientLoops) { return "client loops must be in 1...64" }
        if !(p99BudgetMicros > 0) { return "the p99 budget must be positive" }
        if (roomCounts.max() ?? 0) * connectionsPerRoom > 60_000 { return "more than 60,000 connections from one address" }
        return nil
    }
}
