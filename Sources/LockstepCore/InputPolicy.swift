/// What a room does with an input that arrives after its tick was confirmed.
public enum LateInputPolicy: String, Sendable, CaseIterable {
    /// Reject it with `InputRejection.late`; the slot's frame already holds the filler.
    case drop
    /// Apply it at the first tick not yet confirmed that has no input from that slot,
    /// marked `InputStatus.lateMoved`. An on-time input for that tick that arrives afterwards
    /// replaces it (the newer intent wins) and the late one is counted as superseded. An input
    /// for a tick the slot already sent one for (even one already confirmed) is a duplicate.
    case nextOpenTick = "next-open-tick"
}

/// What a room puts in a slot that sent nothing for a tick by its deadline.
public enum MissingInputPolicy: String, Sendable, CaseIterable {
    /// The slot's last confirmed payload, repeated.
    case repeatLast = "repeat-last"
    /// The neutral input: an empty payload.
    case neutral
}

/// Why an input was not accepted. Each case maps to one protocol error code.
public enum InputRejection: Error, Equatable, Sendable, CustomStringConvertible {
    /// The slot is not one of the room's slots.
    case invalidSlot(PlayerSlot)
    /// The payload is longer than the room allows.
    case payloadTooLarge(size: Int, limit: Int)
    /// The slot already sent an input for that tick (still pending, already confirmed, or moved).
    case duplicate(Tick)
    /// The tick is beyond the lead window (`nextTick + leadWindow` or later).
    case tooFarAhead(tick: Tick, limit: Tick)
    /// The tick was already confirmed and the late policy drops it, or it is older than the late window.
    case late(tick: Tick, nextTick: Tick)

    public var description: String {
        switch self {
        case .invalidSlot(let slot): "slot \(slot) is not in this room"
        case .payloadTooLarge(let size, let limit): "payload of \(size) bytes exceeds the room's limit of \(limit)"
        case .duplicate(let tick): "an input for tick \(tick) was already received"
        case .tooFarAhead(let tick, let limit): "tick \(tick) is beyond the lead window (must be before \(limit))"
        case .late(let tick, let next): "tick \(tick) is already confirmed (next open tick is \(next))"
        }
    }
}
