import LockstepCore

/// How a client connects and plays.
public struct ClientConfiguration: Sendable {
    /// The server's host and port.
    public var host: String
    public var port: Int
    /// The room (sent as `?room=`; optional, the token names it).
    public var room: String?
    /// The join token.
    public var token: String
    /// Bounds of the adaptive input delay (the server's delay is the starting point).
    public var minimumInputDelay = 1
    public var maximumInputDelay = 12
    /// Whether the input delay adapts (grows when late, shrinks with slack).
    public var adaptiveInputDelay = true
    /// The most ticks prediction may run ahead of the last confirmed frame.
    public var maxPrediction = 8
    /// How remote players' inputs are guessed for ticks not confirmed yet.
    public var inputPredictor: any InputPredictor = RepeatLastInputPredictor()
    /// The sync test (`SyncTester`): when above 0, every confirmed tick also re-simulates the last
    /// this many ticks from a snapshot and compares the hashes; the first mismatch is reported as
    /// `.syncTestFailed` (a development aid: it costs this many extra steps per tick).
    public var syncTestDistance = 0
    /// How often the clock is measured with PING (ns).
    public var pingIntervalNanos: UInt64 = 500_000_000
    /// Whether the client sends MATCH_OVER (once) when its confirmed state says the match is over
    /// (`isOver`): the room ends the match when more than half of the connected players have.
    public var reportsMatchOver = true
    /// Reconnect automatically after an unexpected close.
    public var reconnect = true
    public var reconnectPolicy = ReconnectPolicy()
    /// Simulated network conditions (for bots and tests): one-way latency added to every message
    /// in each direction, ± a seeded jitter (order is preserved, as TCP would).
    public var addedLatencyNanos: UInt64 = 0
    public var addedJitterNanos: UInt64 = 0
    /// Drops the connection at random, on average this many times per minute (0: never).
    public var connectionLossPerMinute: Double = 0
    /// Seeds the simulated network conditions and the reconnect jitter.
    public var seed: UInt64 = 0

    public init(host: String = "127.0.0.1", port: Int, room: String? = nil, token: String) {
        self.host = host
        self.port = port
        self.room = room
        self.token = token
    }

    /// A configuration for the room at `url`, the play URL the admin API answers
    /// (`ws://HOST:PORT/v1/play?room=ID`). Throws for anything else, and for `wss://` (this
    /// package has no TLS: see docs/OPERATIONS.md on running behind a TLS proxy).
    public init(url: String, token: String) throws(PlayURL.Invalid) {
        let parsed = try PlayURL(parsing: url)
        self.init(host: parsed.host, port: parsed.port, room: parsed.room, token: token)
    }
}
