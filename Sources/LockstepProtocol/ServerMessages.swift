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

/// The WELCOME that answers a valid HELLO: its fixed fields (`WelcomeHead`, read through this
/// value as `welcome.inputDelay`, `welcome.schedule`…) and its two strings.
@dynamicMemberLookup
public struct Welcome: Equatable, Sendable {
    /// The fixed-size fields, in wire order.
    public var head: WelcomeHead
    public var roomID: String
    public var simulationID: String

    public init(
        role: Role, slot: PlayerSlot?, playerCount: UInt8, tickRate: UInt16, inputDelay: UInt16, leadWindow: UInt16,
        payloadLimit: UInt16, hashInterval: UInt16, spectatorDelay: UInt16, seed: UInt64, simulationVersion: UInt16,
        phase: RoomPhase, nextTick: Tick, schedule: WireSchedule, serverTime: UInt64, roomID: String, simulationID: String
    ) {
        var schedule = schedule
        schedule.tickRate = tickRate
        head = WelcomeHead(
            version: ProtocolVersion.current, role: role, slot: slot, playerCount: playerCount, inputDelay: inputDelay,
            leadWindow: leadWindow, payloadLimit: payloadLimit, hashInterval: hashInterval, spectatorDelay: spectatorDelay, seed: seed,
            simulationVersion: simulationVersion, phase: phase, nextTick: nextTick, schedule: schedule, serverTime: serverTime)
        self.roomID = roomID
        self.simulationID = simulationID
    }

    /// The WELCOME of `head` with its two strings.
    public init(_ head: WelcomeHead, roomID: String, simulationID: String) {
        self.head = head
        self.roomID = roomID
        self.simulationID = simulationID
    }

    /// A fixed field, as `welcome.inputDelay`.
    public subscript<Value>(dynamicMember field: WritableKeyPath<WelcomeHead, Value>) -> Value {
        get { head[keyPath: field] }
        set { head[keyPath: field] = newValue }
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
        case .matchEnd: Self.matchEndKind
        }
    }

    /// The kind byte of MATCH_END: what a client that reads only `ServerMessageHead` watches for.
    public static let matchEndKind: UInt8 = 7

    /// The slot the event concerns, if any.
    public var slot: PlayerSlot? {
        switch self {
        case .joined(let slot), .left(let slot), .disconnected(let slot), .reconnected(let slot), .desync(let slot, _, _, _): slot
        case .matchStart, .matchEnd: nil
        }
    }
}
