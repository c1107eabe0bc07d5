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
    public static var neutral: ArenaInput { ArenaInput(moveX: 0, moveY: 0, aim: nil, fire: false) }

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
        var bytes = [UInt8](repeating: 0, count: Self.encodedSize)
        bytes.withUnsafeMutableBytes { encode(into: $0) }
        return bytes
    }

    /// Writes the 5-byte payload at the start of `buffer` (which holds at least `encodedSize`
    /// bytes; a shorter one is left untouched), without allocating.
    public func encode(into buffer: UnsafeMutableRawBufferPointer) {
        guard buffer.count >= Self.encodedSize else { return }
        let angle = aim?.rawValue ?? 0
        buffer[0] = UInt8(bitPattern: moveX)
        buffer[1] = UInt8(bitPattern: moveY)
        buffer[2] = UInt8(truncatingIfNeeded: angle)
        buffer[3] = UInt8(truncatingIfNeeded: angle >> 8)
        buffer[4] = fire ? 1 : 0
    }
}
