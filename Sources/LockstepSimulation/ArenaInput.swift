import LockstepCore

/// One player's intent for one tick in the arena game, and its 5-byte payload encoding.
///
/// Payload layout (little-endian): byte 0 move x (Int8, −127...127, −128 reads as −127), byte 1
/// move y (Int8), bytes 2–3 aim (`BinaryAngle`, UInt16), byte 4 buttons (bit 0 fire; other bits
/// reserved, ignored). A payload shorter than 5 bytes is the neutral input: no move, no fire, aim
/// unchanged. Bytes after the fifth are ignored.
public struct ArenaInput: Hashable, Sendable {
    /// Horizontal stick, −127 (left) to 127 (right).
    public var moveX: Int8
    /// Vertical stick, −127 (down) to 127 (up).
    public var moveY: Int8
    /// Where the player aims; `nil` keeps the current aim.
    public var aim: BinaryAngle?
    /// Whether the fire button is held.
    public var fire: Bool

    /// The size of an encoded input.
    public static let encodedSize = 5

    /// The neutral input.
    public static let neutral = ArenaInput(moveX: 0, moveY: 0, aim: nil, fire: false)

    public init(moveX: Int8, moveY: Int8, aim: BinaryAngle?, fire: Bool) {
        self.moveX = moveX
        self.moveY = moveY
        self.aim = aim
        self.fire = fire
    }

    /// Decodes a payload (see the layout above).
    public init(payload: some Collection<UInt8>) {
        guard payload.count >= Self.encodedSize else {
            self = .neutral
            return
        }
        var bytes = payload.makeIterator()
        let x = Int8(bitPattern: bytes.next() ?? 0)
        let y = Int8(bitPattern: bytes.next() ?? 0)
        let low = UInt16(bytes.next() ?? 0)
        let high = UInt16(bytes.next() ?? 0)
        let buttons = bytes.next() ?? 0
        moveX = max(x, -127)
        moveY = max(y, -127)
        aim = BinaryAngle(rawValue: low | high << 8)
        fire = buttons & 1 == 1
    }

    /// Decodes `slot`'s payload straight from a frame's bytes (no slice, no generic iteration).
    public init(frame: ConfirmedFrame, slot: Int) {
        let range = frame.payloadRange(of: slot)
        guard range.count >= Self.encodedSize else {
            self = .neutral
            return
        }
        let bytes = frame.payloadBytes
        let start = range.lowerBound
        moveX = max(Int8(bitPattern: bytes[start]), -127)
        moveY = max(Int8(bitPattern: bytes[start + 1]), -127)
        aim = BinaryAngle(rawValue: UInt16(bytes[start + 2]) | UInt16(bytes[start + 3]) << 8)
        fire = bytes[start + 4] & 1 == 1
    }

    /// The 5-byte payload (a `nil` aim encodes as 0).
    public var payload: [UInt8] {
        let angle = aim?.rawValue ?? 0
        return [
            UInt8(bitPattern: moveX), UInt8(bitPattern: moveY), UInt8(angle & 0xFF), UInt8(angle >> 8), fire ? 1 : 0,
        ]
    }
}
