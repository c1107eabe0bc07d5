/// A tick number: the index of one fixed simulation step in a match, starting at 0.
///
/// Ticks are 32-bit on the wire and in replays: at 240 Hz that is over 200 days of play.
public struct Tick: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The tick number.
    public var rawValue: UInt32

    public init(rawValue: UInt32) {
        self.rawValue = rawValue
    }

    public init(_ value: UInt32) {
        self.rawValue = value
    }

    /// The first tick of every match.
    public static let zero = Tick(0)

    /// The tick `count` ticks after this one (wrapping is not expected within a match).
    public func advanced(by count: Int) -> Tick {
        Tick(UInt32(truncatingIfNeeded: Int64(rawValue) + Int64(count)))
    }

    /// How many ticks from this one to `other` (negative when `other` is earlier).
    public func distance(to other: Tick) -> Int {
        Int(Int64(other.rawValue) - Int64(rawValue))
    }

    /// The next tick.
    public var next: Tick { advanced(by: 1) }

    public static func < (lhs: Tick, rhs: Tick) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String { String(rawValue) }
}

/// A player's seat in a room, from 0 to `PlayerSlot.maximumCount - 1`.
public struct PlayerSlot: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The slot index.
    public var rawValue: UInt8

    public init(rawValue: UInt8) {
        self.rawValue = rawValue
    }

    public init(_ value: UInt8) {
        self.rawValue = value
    }

    /// The most slots a room may have. Chosen so a slot fits a byte and a frame's slot bitmap fits 64 bits.
    public static let maximumCount = 64

    /// The slot as an array index.
    public var index: Int { Int(rawValue) }

    public static func < (lhs: PlayerSlot, rhs: PlayerSlot) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String { String(rawValue) }
}
