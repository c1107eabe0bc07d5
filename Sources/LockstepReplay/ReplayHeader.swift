/// What a replay says about its match before the first frame.
public struct ReplayHeader: Equatable, Sendable {
    /// The simulation that re-simulates the match, for example `lockstep.arena`.
    public var simulationID: String
    /// The version of the simulation's rules.
    public var simulationVersion: UInt16
    /// Ticks per second.
    public var tickRate: UInt16
    /// The input delay the room ran with, in ticks.
    public var inputDelay: UInt16
    /// The match seed.
    public var seed: UInt64
    /// The room's payload limit in bytes.
    public var payloadLimit: UInt16
    /// Ticks between state-hash checkpoints (0: none).
    public var checkpointInterval: UInt32
    /// When recording began, in Unix milliseconds (0 when not recorded; informational only).
    public var recordedAtUnixMillis: UInt64
    /// The room's identifier.
    public var roomID: String
    /// The players by slot: their identifiers.
    public var players: [String]

    public init(
        simulationID: String, simulationVersion: UInt16, tickRate: UInt16, inputDelay: UInt16, seed: UInt64,
        payloadLimit: UInt16 = 32, checkpointInterval: UInt32, recordedAtUnixMillis: UInt64 = 0, roomID: String,
        players: [String]
    ) {
        self.simulationID = simulationID
        self.simulationVersion = simulationVersion
        self.tickRate = tickRate
        self.inputDelay = inputDelay
        self.seed = seed
        self.payloadLimit = payloadLimit
        self.checkpointInterval = checkpointInterval
        self.recordedAtUnixMillis = recordedAtUnixMillis
        self.roomID = roomID
        self.players = players
    }
}
