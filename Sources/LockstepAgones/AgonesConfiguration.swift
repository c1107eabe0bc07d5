/// How `lockstep serve --agones` talks to the Agones SDK sidecar.
public struct AgonesConfiguration: Sendable {
    /// The sidecar's REST port on 127.0.0.1 (`AGONES_SDK_HTTP_PORT`, which Agones sets; 9358).
    public var sdkPort = 9358
    /// Seconds between `POST /health` calls (2: well inside Agones' default health check of a
    /// 5 s period and 3 failures).
    public var healthIntervalSeconds = 2.0
    /// The longest wait between `POST /ready` attempts while the sidecar is not answering
    /// (1 s; the first retry comes after 50 ms, each next after twice as long).
    public var readyRetryMaxSeconds = 1.0
    /// The Counter that holds the rooms: count = live rooms, capacity = `--max-rooms` (or the
    /// count while draining, so no allocation counts on this server). Empty: not published.
    public var roomsCounter = "rooms"
    /// The List that holds the connected players as `ROOM/PLAYER` values. Empty: not published.
    public var playersList = "players"
    /// The label set to `true` when the server drains (Agones prefixes it: the GameServer
    /// shows `agones.dev/sdk-lockstep-draining`).
    public var drainingLabel = "lockstep-draining"
    /// Seconds each SDK call may take before it counts as failed (5).
    public var requestTimeoutSeconds = 5

    public init() {}
}
