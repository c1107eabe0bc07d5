/// What an input collector has seen, case by case, since it was created.
public struct InputCollectorCounters: Equatable, Sendable {
    /// Inputs accepted for a tick not yet confirmed.
    public var accepted: UInt64 = 0
    /// Slots confirmed with the input that was sent for that tick.
    public var confirmedOnTime: UInt64 = 0
    /// Late inputs moved to a later open tick (policy `nextOpenTick`).
    public var lateMoved: UInt64 = 0
    /// Late inputs dropped (policy `drop`, or older than the late window).
    public var lateDropped: UInt64 = 0
    /// Moved late inputs replaced by the on-time input for the same tick.
    public var lateSuperseded: UInt64 = 0
    /// Slots filled by repeating the last input.
    public var missingRepeated: UInt64 = 0
    /// Slots filled with the neutral input.
    public var missingNeutral: UInt64 = 0
    /// Slots filled because the player was disconnected.
    public var disconnectedFilled: UInt64 = 0
    /// Inputs rejected as duplicates.
    public var rejectedDuplicate: UInt64 = 0
    /// Inputs rejected for a tick beyond the lead window.
    public var rejectedTooFarAhead: UInt64 = 0
    /// Inputs rejected for an unknown slot.
    public var rejectedInvalidSlot: UInt64 = 0
    /// Inputs rejected for an oversize payload.
    public var rejectedPayloadTooLarge: UInt64 = 0
    /// Frames confirmed.
    public var framesConfirmed: UInt64 = 0

    public init() {}
}
