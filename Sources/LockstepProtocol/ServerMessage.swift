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
        let head = try ServerMessageHead.read(&reader)
        let message: ServerMessage
        switch head {
        case .welcome(let welcome):
            let roomID = try reader.shortString("room id")
            message = .welcome(Welcome(welcome, roomID: roomID, simulationID: try reader.shortString("simulation id")))
        case .frame(let tick, let slotCount):
            message = .frame(try decodeFrameSlots(tick: tick, slotCount: slotCount, &reader))
        case .frameBatch(let count):
            var frames: [ConfirmedFrame] = []
            frames.reserveCapacity(framesToReserve(claimed: count, remaining: reader.remaining))
            for _ in 0..<count {
                let body = try reader.frameBodyHead()
                frames.append(try decodeFrameSlots(tick: body.tick, slotCount: body.slotCount, &reader))
            }
            message = .frameBatch(frames)
        case .pong(let clientTime, let serverTime, let nextTick):
            message = .pong(clientTime: clientTime, serverTime: serverTime, nextTick: nextTick)
        case .event(let kind, let tick, let slot):
            message = try decodeEvent(kind: kind, tick: tick, slot: slot, &reader)
        case .error(let code, let fatal):
            message = .error(code: code, fatal: fatal, message: try reader.utf8(reader.rest(), "message"))
        case .schedule(let schedule):
            message = .schedule(schedule)
        }
        try reader.expectEnd("\(head.type)")
        return message
    }

    static func decodeFrameSlots(tick: Tick, slotCount: Int, _ reader: inout WireReader) throws(ProtocolError) -> ConfirmedFrame {
        var frame = ConfirmedFrame(tick: tick, reservingSlots: slotsToReserve(claimed: slotCount, remaining: reader.remaining))
        for _ in 0..<slotCount {
            let slot = try reader.frameSlot()
            frame.append(status: slot.status, payload: slot.payload)
        }
        return frame
    }

    static func decodeEvent(kind: UInt8, tick: Tick, slot: PlayerSlot, _ reader: inout WireReader) throws(ProtocolError) -> ServerMessage {
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
        case RoomEvent.matchEndKind:
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
