import LockstepCore

/// A server message's type and fixed-size fields, read in place without allocating: the one
/// reading of the server messages' layout. `ServerMessage.decode` builds owned values on it; a
/// client that must not allocate per message (the benchmark's bots) switches on it directly and
/// reads a frame's slots with `WireReader.frameSlot()`.
public enum ServerMessageHead: Equatable, Sendable {
    /// A WELCOME's fixed fields; the room and simulation ids (short strings) follow.
    case welcome(WelcomeHead)
    /// A FRAME: its tick and slot count; the slots follow.
    case frame(tick: Tick, slotCount: Int)
    /// A FRAME_BATCH: how many frame bodies follow (each read with `WireReader.frameBodyHead()`).
    case frameBatch(frameCount: Int)
    /// A PONG, complete.
    case pong(clientTime: UInt64, serverTime: UInt64, nextTick: Tick)
    /// An EVENT's kind (`RoomEvent.Kind`'s raw value), tick and slot; kind-specific fields and the
    /// detail text follow.
    case event(kind: UInt8, tick: Tick, slot: PlayerSlot)
    /// An ERROR's code and whether it is fatal; the message text follows.
    case error(code: UInt16, fatal: Bool)
    /// A SCHEDULE, complete.
    case schedule(WireSchedule)

    /// The message type.
    public var type: MessageType {
        switch self {
        case .welcome: .welcome
        case .frame: .frame
        case .frameBatch: .frameBatch
        case .pong: .pong
        case .event: .event
        case .error: .error
        case .schedule: .schedule
        }
    }

    /// Reads the type byte and the fixed fields, leaving `reader` at the variable part.
    ///
    /// - Throws: `ProtocolError` with `unknownMessageType`, or `malformedMessage` when the message
    ///   ends early or a field holds an unknown value.
    public static func read(_ reader: inout WireReader) throws(ProtocolError) -> ServerMessageHead {
        let rawType = try reader.u8("the message type")
        guard let type = MessageType(rawValue: rawType), type.rawValue >= 0x80 else {
            throw ProtocolError(.unknownMessageType, "type 0x\(String(rawType, radix: 16)) is not a server message")
        }
        switch type {
        case .welcome:
            return .welcome(try WelcomeHead(&reader))
        case .frame:
            let head = try reader.frameBodyHead()
            return .frame(tick: head.tick, slotCount: head.slotCount)
        case .frameBatch:
            return .frameBatch(frameCount: Int(try reader.integer(UInt16.self, "frame count")))
        case .pong:
            return .pong(
                clientTime: try reader.integer(UInt64.self, "client time"), serverTime: try reader.integer(UInt64.self, "server time"),
                nextTick: Tick(try reader.integer(UInt32.self, "next tick")))
        case .event:
            let kind = try reader.u8("event kind")
            let tick = Tick(try reader.integer(UInt32.self, "tick"))
            return .event(kind: kind, tick: tick, slot: PlayerSlot(try reader.u8("slot")))
        case .error:
            let code = try reader.integer(UInt16.self, "code")
            return .error(code: code, fatal: try reader.u8("fatal") != 0)
        case .schedule:
            return .schedule(
                WireSchedule(
                    baseTick: Tick(try reader.integer(UInt32.self, "base tick")), epoch: try reader.integer(UInt64.self, "epoch"),
                    tickRate: try reader.integer(UInt16.self, "tick rate")))
        default:
            throw ProtocolError(.unknownMessageType, "type 0x\(String(rawType, radix: 16)) is not a server message")
        }
    }
}

/// A WELCOME without its two strings (room id, simulation id): every field a client acts on.
public struct WelcomeHead: Equatable, Sendable {
    public var version: UInt16
    public var role: Role
    /// The player's slot; `nil` for spectators (0xFF on the wire).
    public var slot: PlayerSlot?
    public var playerCount: UInt8
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
    /// The room's schedule (epoch 0 while the match has not started); its rate is the room's.
    public var schedule: WireSchedule
    /// The server's monotonic clock when the WELCOME was sent, in ns.
    public var serverTime: UInt64

    public init(
        version: UInt16, role: Role, slot: PlayerSlot?, playerCount: UInt8, inputDelay: UInt16, leadWindow: UInt16,
        payloadLimit: UInt16, hashInterval: UInt16, spectatorDelay: UInt16, seed: UInt64, simulationVersion: UInt16,
        phase: RoomPhase, nextTick: Tick, schedule: WireSchedule, serverTime: UInt64
    ) {
        self.version = version
        self.role = role
        self.slot = slot
        self.playerCount = playerCount
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
    }

    /// Reads the fields after the type byte, in wire order (docs/PROTOCOL.md, WELCOME).
    init(_ reader: inout WireReader) throws(ProtocolError) {
        let version = try reader.integer(UInt16.self, "version")
        guard let role = Role(rawValue: try reader.u8("role")) else { throw ProtocolError(.malformedMessage, "unknown role") }
        let slot = try reader.u8("slot")
        let playerCount = try reader.u8("player count")
        let rate = try reader.integer(UInt16.self, "tick rate")
        let inputDelay = try reader.integer(UInt16.self, "input delay")
        let leadWindow = try reader.integer(UInt16.self, "lead window")
        let payloadLimit = try reader.integer(UInt16.self, "payload limit")
        let hashInterval = try reader.integer(UInt16.self, "hash interval")
        let spectatorDelay = try reader.integer(UInt16.self, "spectator delay")
        let seed = try reader.integer(UInt64.self, "seed")
        let simulationVersion = try reader.integer(UInt16.self, "simulation version")
        guard let phase = RoomPhase(rawValue: try reader.u8("phase")) else { throw ProtocolError(.malformedMessage, "unknown phase") }
        let nextTick = Tick(try reader.integer(UInt32.self, "next tick"))
        let baseTick = Tick(try reader.integer(UInt32.self, "schedule base tick"))
        let schedule = WireSchedule(baseTick: baseTick, epoch: try reader.integer(UInt64.self, "schedule epoch"), tickRate: rate)
        self.init(
            version: version, role: role, slot: slot == 0xFF ? nil : PlayerSlot(slot), playerCount: playerCount,
            inputDelay: inputDelay, leadWindow: leadWindow, payloadLimit: payloadLimit, hashInterval: hashInterval,
            spectatorDelay: spectatorDelay, seed: seed, simulationVersion: simulationVersion, phase: phase, nextTick: nextTick,
            schedule: schedule, serverTime: try reader.integer(UInt64.self, "server time"))
    }

    /// The room's tick rate (the schedule's).
    public var tickRate: UInt16 {
        get { schedule.tickRate }
        set { schedule.tickRate = newValue }
    }
}

extension WireReader {
    /// Reads a frame body's tick and slot count (FRAME after its type byte; each FRAME_BATCH entry).
    public mutating func frameBodyHead() throws(ProtocolError) -> (tick: Tick, slotCount: Int) {
        let tick = Tick(try integer(UInt32.self, "tick"))
        return (tick, Int(try u8("slot count")))
    }

    /// Reads one slot of a frame body: its status and a view of its payload (valid while the
    /// message's buffer is).
    public mutating func frameSlot() throws(ProtocolError) -> (status: InputStatus, payload: UnsafeRawBufferPointer) {
        guard let status = InputStatus(rawValue: try u8("status")) else { throw ProtocolError(.malformedMessage, "unknown input status") }
        let length = Int(try integer(UInt16.self, "payload length"))
        return (status, try bytes(length, "payload"))
    }
}
