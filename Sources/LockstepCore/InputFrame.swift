/// One player's input for one tick: an opaque payload the simulation interprets.
public struct InputFrame: Hashable, Sendable {
    /// The tick the input is meant for.
    public var tick: Tick
    /// The player who sent it.
    public var slot: PlayerSlot
    /// The payload, at most the room's maximum (default 32 bytes, never over `hardPayloadLimit`).
    public var payload: [UInt8]

    /// The largest payload any room may allow: 1 KiB.
    public static let hardPayloadLimit = 1024
    /// The payload limit of a room that does not choose one.
    public static let defaultPayloadLimit = 32

    public init(tick: Tick, slot: PlayerSlot, payload: [UInt8]) {
        self.tick = tick
        self.slot = slot
        self.payload = payload
    }
}

/// How a slot's input got into a confirmed frame. The raw values are the wire and replay encoding.
public enum InputStatus: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    /// The player's input arrived before the deadline of its tick.
    case onTime = 0
    /// No input arrived; the room's missing-input policy filled it (repeat last, or neutral).
    case missingFilled = 1
    /// The input was meant for an earlier tick, arrived late, and was moved to this one.
    case lateMoved = 2
    /// The player is disconnected; the slot holds the neutral (empty) input.
    case disconnected = 3

    public var description: String {
        switch self {
        case .onTime: "on-time"
        case .missingFilled: "missing-filled"
        case .lateMoved: "late-moved"
        case .disconnected: "disconnected"
        }
    }
}
