import LockstepCore

/// A message from the server, decoded into owned values (for clients and tests).
public enum ServerMessage: Equatable, Sendable {
    case welcome(Welcome)
    case frame(ConfirmedFrame)
    case frameBatch([ConfirmedFrame])
    case pong(clientTime: UInt64, serverTime: UInt64, nextTick: Tick)
    case event(RoomEvent, tick: Tick, detail: String)
    case error(code: UInt16, fatal: Bool, message: String)
    case schedule(WireSchedule)

    /// Decodes one server message.
    ///
    /// - Throws: `ProtocolError` with `unknownMessageType` or `malformedMessage`.
    public static func decode(_ bytes: UnsafeRawBufferPointer) throws(ProtocolError) -> ServerMessage {
        var reader = WireReader(bytes)
        let rawType = try reader.u8("the message type")
        guard let type = MessageType(rawValue: rawType), type.rawValue >= 0x80 else {
            throw ProtocolError(.unknownMessageType, "type 0x\(String(rawType, radix: 16)) is not a server message")
        }
        let message: ServerMessage
        switch type {
        case .welcome:
            let version = try reader.integer(UInt16.self, "version")
            guard let role = Role(rawValue: try reader.u8("role")) else { throw ProtocolError(.malformedMessage, "unknown role") }
            let slot = try reader.u8("slot")
            let players = try reader.u8("player count")
            let rate = try reader.integer(UInt16.self, "tick rate")
            let delay = try reader.integer(UInt16.self, "input delay")
            let lead = try reader.integer(UInt16.self, "lead window")
            let limit = try reader.integer(UInt16.self, "payload limit")
            let hashInterval = try reader.integer(UInt16.self, "hash interval")
            let spectatorDelay = try reader.integer(UInt16.self, "spectator delay")
            let seed = try reader.integer(UInt64.self, "seed")
            let simulationVersion = try reader.integer(UInt16.self, "simulation version")
            guard let phase = RoomPhase(rawValue: try reader.u8("phase")) else { throw ProtocolError(.malformedMessage, "unknown phase") }
            let nextTick = Tick(try reader.integer(UInt32.self, "next tick"))
            let baseTick = Tick(try reader.integer(UInt32.self, "schedule base tick"))
            let epoch = try reader.integer(UInt64.self, "schedule epoch")
            let serverTime = try reader.integer(UInt64.self, "server time")
            let roomID = try reader.shortString("room id")
            let simulationID = try reader.shortString("simulation id")
            var welcome = Welcome(
                role: role, slot: slot == 0xFF ? nil : PlayerSlot(slot), playerCount: players, tickRate: rate, inputDelay: delay,
                leadWindow: lead, payloadLimit: limit, hashInterval: hashInterval, spectatorDelay: spectatorDelay, seed: seed,
                simulationVersion: simulationVersion, phase: phase, nextTick: nextTick,
                schedule: WireSchedule(baseTick: baseTick, epoch: epoch, tickRate: rate), serverTime: serverTime, roomID: roomID,
                simulationID: simulationID)
            welcome.version = version
            message = .welcome(welcome)
        case .frame:
            message = .frame(try decodeFrameBody(&reader))
        case .frameBatch:
            let count = Int(try reader.integer(UInt16.self, "frame count"))
            var frames: [ConfirmedFrame] = []
            frames.reserveCapacity(framesToReserve(claimed: count, remaining: reader.remaining))
            for _ in 0..<count { frames.append(try decodeFrameBody(&reader)) }
            message = .frameBatch(frames)
        case .pong:
            message = .pong(
                clientTime: try reader.integer(UInt64.self, "client time"), serverTime: try reader.integer(UInt64.self, "server time"),
                nextTick: Tick(try reader.integer(UInt32.self, "next tick")))
        case .event:
            message = try decodeEvent(&reader)
        case .error:
            let code = try reader.integer(UInt16.self, "code")
            let fatal = try reader.u8("fatal") != 0
            message = .error(code: code, fatal: fatal, message: try reader.utf8(reader.rest(), "message"))
        case .schedule:
            message = .schedule(
                WireSchedule(
                    baseTick: Tick(try reader.integer(UInt32.self, "base tick")), epoch: try reader.integer(UInt64.self, "epoch"),
                    tickRate: try reader.integer(UInt16.self, "tick rate")))
        default:
            throw ProtocolError(.unknownMessageType, "type 0x\(String(rawType, radix: 16)) is not a server message")
        }
        try reader.expectEnd("\(type)")
        return message
    }

    static func decodeFrameBody(_ reader: inout WireReader) throws(ProtocolError) -> ConfirmedFrame {
        let tick = Tick(try reader.integer(UInt32.self, "tick"))
        let slots = Int(try reader.u8("slot count"))
        var frame = ConfirmedFrame(tick: tick, reservingSlots: slotsToReserve(claimed: slots, remaining: reader.remaining))
        for _ in 0..<slots {
            guard let status = InputStatus(rawValue: try reader.u8("status")) else { throw ProtocolError(.malformedMessage, "unknown input status") }
            let length = Int(try reader.integer(UInt16.self, "payload length"))
            frame.append(status: status, payload: try reader.bytes(length, "payload"))
        }
        return frame
    }

    static func decodeEvent(_ reader: inout WireReader) throws(ProtocolError) -> ServerMessage {
        let kind = try reader.u8("event kind")
        let tick = Tick(try reader.integer(UInt32.self, "tick"))
        let slot = PlayerSlot(try reader.u8("slot"))
        let event: RoomEvent
        switch kind {
        case 1: event = .joined(slot: slot)
        case 2: event = .left(slot: slot)
        case 3: event = .disconnected(slot: slot)
        case 4: event = .reconnected(slot: slot)
        case 5:
            event = .desync(
                slot: slot, tick: Tick(try reader.integer(UInt32.self, "divergent tick")),
                expected: try reader.integer(UInt64.self, "expected hash"), actual: try reader.integer(UInt64.self, "actual hash"))
        case 6: event = .matchStart
        case 7:
            guard let reason = MatchEndReason(rawValue: try reader.u8("reason")) else { throw ProtocolError(.malformedMessage, "unknown match end reason") }
            event = .matchEnd(reason: reason)
        default:
            throw ProtocolError(.malformedMessage, "unknown event kind \(kind)")
        }
        return .event(event, tick: tick, detail: try reader.utf8(reader.rest(), "detail"))
    }

    /// How many frames to reserve for a FRAME_BATCH that claims `count` with `remaining` bytes
    /// left: a frame body is at least 5 bytes (tick, slot count), so a claimed count never sizes an
    /// allocation beyond what the message can hold.
    static func framesToReserve(claimed count: Int, remaining: Int) -> Int {
        min(count, remaining / 5)
    }

    /// How many slots to reserve for a frame that claims `count`: a slot entry is at least 3 bytes
    /// (status, payload length).
    static func slotsToReserve(claimed count: Int, remaining: Int) -> Int {
        min(count, remaining / 3)
    }
}
