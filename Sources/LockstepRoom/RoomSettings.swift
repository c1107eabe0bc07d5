import LockstepCore
import LockstepProtocol

/// What a room does with a player whose state hash diverged.
public enum DesyncPolicy: String, Sendable, CaseIterable {
    /// Tell the room and record it; the player plays on.
    case report
    /// Also send the player `desyncDropped` and close its connection (only on a decided verdict).
    case drop
}

/// Everything a room is created with, validated when built.
public struct RoomSettings: Sendable, Equatable {
    /// The room's identifier (letters, digits, `-` and `_`; 1 to 64 characters).
    public var roomID: String
    /// Player slots (1 to 64; the simulation may narrow it, e.g. 2 to 8 for `lockstep.arena`).
    public var players: Int
    public var tickRate: TickRate
    /// Ticks between a client's present and the tick its input is meant for (default 2).
    public var inputDelay: Int
    /// The input collector's settings (lead and late windows, policies, payload limit).
    public var input: InputCollectorConfiguration
    public var simulationID: String
    public var simulationVersion: UInt16
    public var seed: UInt64
    /// The match ends after this many ticks (default 54,000: 30 minutes at 30 Hz).
    public var maxTicks: Int
    /// Ticks between state-hash reports (default: one second of ticks; 0 disables arbitration).
    public var hashInterval: Int
    public var desyncPolicy: DesyncPolicy
    /// How far behind live spectators see the match, in ticks (default 0).
    public var spectatorDelay: Int
    /// The fewest players that may start the match once `startTimeout` has passed (default: all).
    public var minPlayers: Int
    /// How long to wait for every slot before starting with `minPlayers` or ending (default 60 s).
    public var startTimeoutNanos: UInt64
    /// How long a running room with no connected player lives before it ends (default 30 s).
    public var abandonTimeoutNanos: UInt64
    /// Frames kept in memory for catch-up (default 10 s of ticks); older ones come from the replay file.
    public var rollbackCapacity: Int
    /// The time from the start decision to tick 0's deadline (default 200 ms), so clients get the schedule first.
    public var startDelayNanos: UInt64
    /// Where in the tick period this room's deadlines fall, in ns (the server staggers rooms).
    public var phaseOffsetNanos: UInt64
    /// The slots the server plays itself with the simulation's bots (sorted; default none). At
    /// least one slot is a player's.
    public var botSlots: [Int]

    /// Builds settings, rejecting impossible combinations with a message naming the field.
    public init(
        roomID: String, players: Int, tickRate: TickRate, inputDelay: Int = 2, input: InputCollectorConfiguration,
        simulationID: String = "lockstep.arena", simulationVersion: UInt16 = 1, seed: UInt64 = 0, maxTicks: Int = 54_000,
        hashInterval: Int? = nil, desyncPolicy: DesyncPolicy = .report, spectatorDelay: Int = 0, minPlayers: Int? = nil,
        startTimeoutNanos: UInt64 = 60_000_000_000, abandonTimeoutNanos: UInt64 = 30_000_000_000, rollbackCapacity: Int? = nil,
        startDelayNanos: UInt64 = 200_000_000, phaseOffsetNanos: UInt64 = 0, botSlots: [Int] = []
    ) throws(ConfigurationError) {
        guard (1...64).contains(roomID.utf8.count), roomID.utf8.allSatisfy({ Self.isIDByte($0) }) else {
            throw ConfigurationError(field: "roomID", message: "must be 1 to 64 letters, digits, '-' or '_'")
        }
        guard input.slotCount == players else {
            throw ConfigurationError(field: "players", message: "must match the input collector's slot count")
        }
        guard (0...input.leadWindow - 1).contains(inputDelay) else {
            throw ConfigurationError(field: "inputDelay", message: "must be 0 to leadWindow - 1 (\(input.leadWindow - 1)), not \(inputDelay)")
        }
        guard maxTicks >= 1 else { throw ConfigurationError(field: "maxTicks", message: "must be at least 1") }
        let interval = hashInterval ?? tickRate.rawValue
        guard (0...65_535).contains(interval) else { throw ConfigurationError(field: "hashInterval", message: "must be 0 to 65535") }
        guard (0...65_535).contains(spectatorDelay) else { throw ConfigurationError(field: "spectatorDelay", message: "must be 0 to 65535") }
        let capacity = rollbackCapacity ?? tickRate.rawValue * 10
        guard (1...1_000_000).contains(capacity), spectatorDelay < capacity else {
            throw ConfigurationError(field: "rollbackCapacity", message: "must be 1 to 1000000 and above the spectator delay")
        }
        let minimum = minPlayers ?? players
        guard (1...players).contains(minimum) else { throw ConfigurationError(field: "minPlayers", message: "must be 1 to \(players)") }
        guard (1...64).contains(simulationID.utf8.count) else { throw ConfigurationError(field: "simulationID", message: "must be 1 to 64 bytes") }
        let bots = botSlots.sorted()
        guard bots.count < players, zip(bots, bots.dropFirst()).allSatisfy({ $0 < $1 }), bots.allSatisfy({ (0..<players).contains($0) })
        else {
            throw ConfigurationError(field: "bots", message: "must be distinct slots of the room, leaving at least one slot to a player")
        }
        self.roomID = roomID
        self.players = players
        self.tickRate = tickRate
        self.inputDelay = inputDelay
        self.input = input
        self.simulationID = simulationID
        self.simulationVersion = simulationVersion
        self.seed = seed
        self.maxTicks = maxTicks
        self.hashInterval = interval
        self.desyncPolicy = desyncPolicy
        self.spectatorDelay = spectatorDelay
        self.minPlayers = minimum
        self.startTimeoutNanos = startTimeoutNanos
        self.abandonTimeoutNanos = abandonTimeoutNanos
        self.rollbackCapacity = capacity
        self.startDelayNanos = startDelayNanos
        self.phaseOffsetNanos = phaseOffsetNanos
        self.botSlots = bots
    }

    static func isIDByte(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x2D || byte == 0x5F
    }
}
