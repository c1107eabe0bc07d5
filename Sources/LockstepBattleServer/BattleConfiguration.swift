import LockstepCore
import struct LockstepEventLoop.OutboundLimits
import LockstepRoom

/// The battle server's own settings, on top of the network server's. Defaults are safe for a
/// single machine; every one is a flag, a `LOCKSTEP_*` variable and a config-file key (see
/// docs/OPERATIONS.md).
public struct BattleConfiguration: Sendable {
    /// The key the admin API requires as `Authorization: Bearer KEY`. Empty: one is generated at
    /// start and written to the log (fine for development only).
    public var adminKey = ""
    /// The secret join tokens are signed with. Empty: 32 random bytes per process (tokens then
    /// die with the process).
    public var tokenSecret: [UInt8] = []
    /// How long minted tokens are valid (1 hour).
    public var tokenLifetimeSeconds: UInt64 = 3600
    /// Where replays are written (`./Replays/live`).
    public var replayDirectory = "Replays/live"
    /// Ticks between replay writes (30: one second at 30 Hz is the most a crash loses).
    public var replayFlushInterval = 30
    /// Milliseconds within which replay bytes written are `fsync`ed, on the replay-writing thread
    /// (0, the default: a replay is synced when its match ends; a power loss mid-match then loses
    /// whatever the kernel had not written back, usually up to about 35 s). See docs/OPERATIONS.md.
    public var replayFsyncMillis = 0
    /// The most rooms at once (1,000).
    public var maxRooms = 1000
    /// How long an ended room stays listed (admin API, metrics) before it is forgotten; its replay
    /// stays on disk and its id stays taken.
    public var endedRoomRetentionSeconds: UInt64 = 600
    /// The per-address connection limit `lockstep serve` sets on the network server by default
    /// (256; raise it for load tests from one machine). Enforced at accept by `AddressLimiter`.
    public static let defaultMaxConnectionsPerAddress = 256
    /// Sustained messages per second per connection (120: four per tick at 30 Hz).
    public var messagesPerSecond = 120
    /// Burst allowance of the per-connection token bucket (240 messages).
    public var messageBurst = 240
    /// How long a connection may take to send its HELLO (10 s).
    public var helloTimeoutNanos: UInt64 = 10_000_000_000
    /// Payload bytes a play connection may send before its HELLO, control frames included
    /// (4 KiB: a HELLO with the largest token is about 1.1 KiB). A larger frame is refused with
    /// close 1009 from its header; more bytes in total with error 30 and close 4030. The pongs
    /// the server answers echo pings, so what it sends back before a HELLO is bounded too.
    public var preHelloByteBudget = 4096
    /// The outbound queue of each play connection: not writable (and not read) over 64 KiB,
    /// about 7 s of the largest default frames (8 players × 32-byte inputs at 30 Hz, about
    /// 9 KB/s); writable again under 16 KiB; a slow reader over 1 MiB, about 2 minutes of them.
    public var playOutboundLimits = OutboundLimits(
        highWatermark: 64 * 1024, lowWatermark: 16 * 1024, cap: 1024 * 1024)
    /// Instants per tick period that room phases are rounded to (0: every room on its own
    /// instant; `nil`, the default: one instant per `automaticSlotSpacingNanos` of the period,
    /// 66 at 30 Hz). Rooms sharing an instant fire in one event-loop wake-up; on a VM a timer
    /// wake-up costs about 20 µs of CPU, a tenth of a connection-tick budget at 4 players, and
    /// each wake-up of a client's reader costs the sender as much again (docs/BENCHMARKS.md).
    public var phaseSlots: Int?

    /// The spacing of automatic phase slots: 500 µs. Rooms sharing a slot add the time to send
    /// each other's frames to their latency (about 8 µs per connection on loopback), so a slot
    /// of a few rooms costs tens of microseconds of median latency and saves a wake-up per room.
    public static let automaticSlotSpacingNanos: UInt64 = 500_000

    /// The phase slots used for rooms of `period` nanoseconds: `phaseSlots`, or when it is `nil`
    /// one per `automaticSlotSpacingNanos` (at least 1).
    public func effectivePhaseSlots(period: UInt64) -> Int {
        if let phaseSlots { return phaseSlots }
        return Int(max(1, period / Self.automaticSlotSpacingNanos))
    }
    /// Whether pages may use `POST /v1/quickmatch`, `GET /v1/public/rooms` and `GET /v1/replays`
    /// without the admin key (`auto`: only when listening on a loopback address).
    public var publicAccess = PublicAccess.auto
    /// The most rooms public quick matches may have running at once (16).
    public var publicMaxRooms = 16
    /// Public quick matches one address may start per minute, sustained (6), and at once (3).
    public var publicQuickMatchesPerMinute = 6
    public var publicQuickMatchBurst = 3
    /// The most bots a quick match may ask for (7: eight players, the arena's most).
    public var quickMatchMaxBots = 7
    /// Bots in a quick match that does not say (3: four players).
    public var quickMatchDefaultBots = 3

    /// How long a drain (`POST /v1/drain`, or a signal when `lockstep serve` drains on signals)
    /// lets running matches go on before ending them with `serverDrainTimeout` (600 s: ten
    /// minutes, longer than most matches; the default `maxTicks`, 30 minutes at 30 Hz, is an
    /// upper bound, not a length). An orchestrator's termination grace period must exceed it.
    /// `nil`: no timeout.
    public var drainTimeoutSeconds: Int? = 600
    /// Room defaults for fields a `POST /v1/rooms` leaves out.
    public var roomDefaults = RoomDefaults()

    public init() {}

    /// Checks the settings.
    public func validate() throws(ConfigurationError) {
        guard maxRooms >= 1 else { throw ConfigurationError(field: "maxRooms", message: "must be at least 1") }
        guard messagesPerSecond >= 1, messageBurst >= 1 else { throw ConfigurationError(field: "messagesPerSecond", message: "and the burst must be at least 1") }
        guard replayFlushInterval >= 1 else { throw ConfigurationError(field: "replayFlushInterval", message: "must be at least 1 tick") }
        guard (0...3_600_000).contains(replayFsyncMillis) else {
            throw ConfigurationError(field: "replayFsyncMillis", message: "must be 0 to 3600000 milliseconds")
        }
        guard (0...1_000_000).contains(phaseSlots ?? 0) else { throw ConfigurationError(field: "phaseSlots", message: "must be 0 to 1000000") }
        guard publicMaxRooms >= 0, publicQuickMatchesPerMinute >= 1, publicQuickMatchBurst >= 1 else {
            throw ConfigurationError(field: "publicMaxRooms", message: "must be at least 0, and the public rate and burst at least 1")
        }
        guard (1...63).contains(quickMatchMaxBots), (1...quickMatchMaxBots).contains(quickMatchDefaultBots) else {
            throw ConfigurationError(field: "quickMatchMaxBots", message: "must be 1 to 63, and the default bots 1 to it")
        }
        guard (drainTimeoutSeconds ?? 0) >= 0 else { throw ConfigurationError(field: "drainTimeoutSeconds", message: "must not be negative") }
        guard !replayDirectory.isEmpty else { throw ConfigurationError(field: "replayDirectory", message: "must not be empty") }
        guard preHelloByteBudget >= 256 else {
            throw ConfigurationError(field: "preHelloByteBudget", message: "must be at least 256 bytes")
        }
        do {
            try playOutboundLimits.validate()
        } catch {
            throw ConfigurationError(field: "playOutboundLimits", message: error.message)
        }
    }
}

/// The settings a new room takes when its creation request leaves them out.
public struct RoomDefaults: Sendable {
    public var tickRate = 30
    public var inputDelay = 2
    public var leadWindow = 32
    public var lateWindow = 8
    public var latePolicy = LateInputPolicy.drop
    public var missingPolicy = MissingInputPolicy.repeatLast
    public var payloadLimit = 32
    public var simulationID = "lockstep.arena"
    public var simulationVersion: UInt16 = 1
    public var maxTicks = 54_000
    public var desyncPolicy = DesyncPolicy.report
    public var startTimeoutSeconds = 60
    public var abandonTimeoutSeconds = 30

    public init() {}
}
