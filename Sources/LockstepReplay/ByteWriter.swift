/// Appends little-endian integers, LEB128 varints and short strings to a byte array.
struct ByteWriter {
    var bytes: [UInt8] = []

    mutating func u8(_ value: UInt8) { bytes.append(value) }

    mutating func integer<T: FixedWidthInteger>(_ value: T) {
        var remaining = value.littleEndian
        withUnsafeBytes(of: &remaining) { bytes.append(contentsOf: $0) }
    }

    /// Unsigned LEB128: 7 bits a byte, low first, high bit set on every byte but the last.
    mutating func varint(_ value: UInt64) {
        var remaining = value
        while remaining >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: remaining) | 0x80)
            remaining >>= 7
        }
        bytes.append(UInt8(remaining))
    }

    /// A UTF-8 string of at most 255 bytes, prefixed by its length as one byte (longer is cut).
    mutating func shortString(_ text: String) {
        let utf8 = Array(text.utf8.prefix(255))
        bytes.append(UInt8(utf8.count))
        bytes.append(contentsOf: utf8)
    }

    mutating func append(_ other: some Collection<UInt8>) { bytes.append(contentsOf: other) }

    /// Appends `source[range]` by raw copy (no generic iteration: allocation-free even in debug builds).
    mutating func append(_ source: [UInt8], _ range: Range<Int>) {
        source.withUnsafeBytes { raw in bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: raw[range])) }
    }
}
