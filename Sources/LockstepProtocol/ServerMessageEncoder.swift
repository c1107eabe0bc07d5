import LockstepCore

/// Encodes server messages into a reusable `WireWriter`.
public enum ServerMessageEncoder {
    public static func welcome(_ welcome: Welcome, into writer: inout WireWriter) {
        writer.u8(MessageType.welcome.rawValue)
        writer.integer(welcome.version)
        writer.u8(welcome.role.rawValue)
        writer.u8(welcome.slot?.rawValue ?? 0xFF)
        writer.u8(welcome.playerCount)
        writer.integer(welcome.tickRate)
        writer.integer(welcome.inputDelay)
        writer.integer(welcome.leadWindow)
        writer.integer(welcome.payloadLimit)
        writer.integer(welcome.hashInterval)
        writer.integer(welcome.spectatorDelay)
        writer.integer(welcome.seed)
        writer.integer(welcome.simulationVersion)
        writer.u8(welcome.phase.rawValue)
        writer.integer(welcome.nextTick.rawValue)
        writer.integer(welcome.schedule.baseTick.rawValue)
        writer.integer(welcome.schedule.epoch)
        writer.integer(welcome.serverTime)
        writer.shortString(welcome.roomID)
        writer.shortString(welcome.simulationID)
    }

    /// A FRAME message: the frame encoded once, sent as the same bytes to everyone.
    public static func frame(_ frame: ConfirmedFrame, into writer: inout WireWriter) {
        writer.u8(MessageType.frame.rawValue)
        frameBody(frame, into: &writer)
    }

    /// A FRAME_BATCH header for `count` frames; append each with `frameBody`.
    public static func frameBatchHeader(count: Int, into writer: inout WireWriter) {
        writer.u8(MessageType.frameBatch.rawValue)
        writer.integer(UInt16(count))
    }

    /// One frame without its type byte (the unit of FRAME and FRAME_BATCH).
    public static func frameBody(_ frame: ConfirmedFrame, into writer: inout WireWriter) {
        writer.integer(frame.tick.rawValue)
        writer.u8(UInt8(frame.slotCount))
        for slot in 0..<frame.slotCount {
            let range = frame.payloadRange(of: slot)
            writer.u8(frame.status(of: slot).rawValue)
            writer.integer(UInt16(range.count))
            writer.raw(frame.payloadBytes, range)
        }
    }

    public static func pong(clientTime: UInt64, serverTime: UInt64, nextTick: Tick, into writer: inout WireWriter) {
        writer.u8(MessageType.pong.rawValue)
        writer.integer(clientTime)
        writer.integer(serverTime)
        writer.integer(nextTick.rawValue)
    }

    public static func event(_ event: RoomEvent, tick: Tick, detail: String = "", into writer: inout WireWriter) {
        writer.u8(MessageType.event.rawValue)
        writer.u8(event.kind)
        writer.integer(tick.rawValue)
        writer.u8(event.slot?.rawValue ?? 0xFF)
        switch event {
        case .desync(_, let divergent, let expected, let actual):
            writer.integer(divergent.rawValue)
            writer.integer(expected)
            writer.integer(actual)
        case .matchEnd(let reason):
            writer.u8(reason.rawValue)
        default:
            break
        }
        writer.text(detail)
    }

    public static func error(_ error: ProtocolError, into writer: inout WireWriter) {
        writer.u8(MessageType.error.rawValue)
        writer.integer(error.code.rawValue)
        writer.u8(error.code.isFatal ? 1 : 0)
        writer.text(error.description)
    }

    public static func schedule(_ schedule: WireSchedule, into writer: inout WireWriter) {
        writer.u8(MessageType.schedule.rawValue)
        writer.integer(schedule.baseTick.rawValue)
        writer.integer(schedule.epoch)
        writer.integer(schedule.tickRate)
    }
}
