import LockstepCore

/// A client's role in a room.
public enum Role: UInt8, Sendable {
    case player = 0
    case spectator = 1
}

/// A room's lifecycle state as the wire carries it.
public enum RoomPhase: UInt8, Sendable {
    case waiting = 0
    case running = 1
    case ended = 2
}

/// When tick `baseTick + n` is due: `epoch + n × 10⁹ / tickRate` nanoseconds on the server's
/// monotonic clock. Clients map it to their own clock with the offset measured by PING/PONG.
public struct WireSchedule: Equatable, Sendable {
    public var baseTick: Tick
    public var epoch: UInt64
    public var tickRate: UInt16

    public init(baseTick: Tick, epoch: UInt64, tickRate: UInt16) {
        self.baseTick = baseTick
        self.epoch = epoch
        self.tickRate = tickRate
    }

    /// The schedule as the core's type (`nil` for a rate outside 1...240).
    public var tickSchedule: TickSchedule? {
        TickRate(rawValue: Int(tickRate)).map { TickSchedule(epoch: epoch, baseTick: baseTick, rate: $0) }
    }
}

/// The WELCOME that answers a valid HELLO.
public struct Welcome: Equatable, Sendable {
    public var version: UInt16 = ProtocolVersion.current
    public var role: Role
    /// The player's slot; `nil` for spectators (0xFF on the wire).
    public var slot: PlayerSlot?
    public var playerCount: UInt8
    public var tickRate: UInt16
    public var inputDelay: UInt16
    public var leadWindow: UInt16
    public var payloadLimit: UInt16
    /// Ticks between the state hashes clients should report (0: none).
    public var hashInterval: UInt16
    /// How many ticks behind live a spectator's frames are.
    public var spectatorDelay: UInt16
    public var seed: UInt64
    public var simulationVersion: UInt16
    public var phase: RoomPhase
    /// The next tick the room will confirm.
    public var nextTick: Tick
    public var schedule: WireSchedule
    /// The server's monotonic clock when the WELCOME was sent, in ns.
    public var serverTime: UInt64
    public var roomID: String
    public var simulationID: String

    public init(
        role: Role, slot: PlayerSlot?, playerCount: UInt8, tickRate: UInt16, inputDelay: UInt16, leadWindow: UInt16,
        payloadLimit: UInt16, hashInterval: UInt16, spectatorDelay: UInt16, seed: UInt64, simulationVersion: UInt16,
        phase: RoomPhase, nextTick: Tick, schedule: WireSchedule, serverTime: UInt64, roomID: String, simulationID: String
    ) {
        self.role = role
        self.slot = slot
        self.playerCount = playerCount
        self.tickRate = tickRate
        self.inputDelay = inputDelay
        self.leadWindow = leadWindow
        self.payloadLimit = payloadLimit
        self.hashInterval = hashInterval
        self.spectatorDelay = spectatorDelay
        self.seed = seed
        self.simulationVersion = simulationVersion
        self.phase = phase
        self.nextTick = nextTick
        self.schedule = schedule
        self.serverTime = serverTime
        self.roomID = roomID
        self.simulationID = simulationID
    }
}

/// Why a match ended. The raw value is the wire encoding.
public enum MatchEndReason: UInt8, Sendable, CaseIterable {
    case tickLimit = 1
    case adminEnded = 2
    case allPlayersGone = 3
    case playersReported = 4
    case serverShutdown = 5
    case startTimeout = 6
    /// The server was draining and its drain timeout passed before the match ended by itself.
    case serverDrainTimeout = 7

    /// Whether the server itself went away (shutdown, drain timeout): connections close with 1001.
    public var isServerGoingAway: Bool { self == .serverShutdown || self == .serverDrainTimeout }
}

/// A room event as the wire carries it.
public enum RoomEvent: Equatable, Sendable {
    case joined(slot: PlayerSlot)
    case left(slot: PlayerSlot)
    case disconnected(slot: PlayerSlot)
    case reconnected(slot: PlayerSlot)
    /// Slot `slot` diverged first at `tick`: the agreed hash was `expected`, it reported `actual`.
    case desync(slot: PlayerSlot, tick: Tick, expected: UInt64, actual: UInt64)
    case matchStart
    case matchEnd(reason: MatchEndReason)

    /// The kind byte on the wire (the same numbering as replay events).
    public var kind: UInt8 {
        switch self {
        case .joined: 1
        case .left: 2
        case .disconnected: 3
        case .reconnected: 4
        case .desync: 5
        case .matchStart: 6
        case .matchEnd: 7
        }
    }

    /// The slot the event concerns, if any.
    public var slot: PlayerSlot? {
        switch self {
        case .joined(let slot), .left(let slot), .disconnected(let slot), .reconnected(let slot), .desync(let slot, _, _, _): slot
        case .matchStart, .matchEnd: nil
        }
    }
}
