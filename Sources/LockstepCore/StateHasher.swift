/// A 64-bit FNV-1a hasher over a documented, stable byte order.
///
/// Unlike `Hasher`, which Swift seeds per process, the same values always give the same hash.
/// Integers are fed little-endian at their declared width; `Bool` is one byte (0 or 1);
/// `Fixed` is its raw `Int64`; byte arrays are fed as a `UInt32` length then the bytes.
public struct StateHasher: Sendable {
    /// The FNV-1a 64-bit offset basis.
    public static let offsetBasis: UInt64 = 0xCBF2_9CE4_8422_2325
    /// The FNV-1a 64-bit prime.
    public static let prime: UInt64 = 0x0000_0100_0000_01B3

    /// The hash so far.
    public private(set) var value: UInt64 = offsetBasis

    public init() {}

    /// Feeds one byte.
    @inline(__always)
    public mutating func combine(byte: UInt8) {
        value = (value ^ UInt64(byte)) &* Self.prime
    }

    /// Feeds raw bytes in order.
    public mutating func combine(bytes: some Sequence<UInt8>) {
        for byte in bytes { combine(byte: byte) }
    }

    /// Feeds a `UInt32` length, then the bytes.
    public mutating func combine(lengthPrefixed bytes: some Collection<UInt8>) {
        combine(UInt32(truncatingIfNeeded: bytes.count))
        combine(bytes: bytes)
    }

    /// Feeds an integer little-endian at its width.
    @inline(__always)
    public mutating func combine<T: FixedWidthInteger>(_ integer: T) {
        var remaining = integer.littleEndian
        withUnsafeBytes(of: &remaining) { raw in
            for byte in raw { combine(byte: byte) }
        }
    }

    /// Feeds a Boolean as one byte.
    public mutating func combine(_ flag: Bool) {
        combine(byte: flag ? 1 : 0)
    }

    /// Feeds a fixed-point number as its raw `Int64`.
    public mutating func combine(_ number: Fixed) {
        combine(number.raw)
    }

    /// Feeds the four state words of a generator.
    public mutating func combine(_ random: SeededRandom) {
        combine(random.state.0)
        combine(random.state.1)
        combine(random.state.2)
        combine(random.state.3)
    }

    /// The FNV-1a hash of `bytes`.
    public static func hash(_ bytes: some Sequence<UInt8>) -> UInt64 {
        var hasher = StateHasher()
        hasher.combine(bytes: bytes)
        return hasher.value
    }
}
