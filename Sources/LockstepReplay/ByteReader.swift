/// Reads little-endian integers, varints and short strings from bytes, throwing `ReplayError` with
/// the absolute file offset on any shortfall or malformed value.
struct ByteReader {
    let bytes: [UInt8]
    /// The absolute offset of `bytes[start]` in the file, for error messages.
    let base: Int
    private(set) var position: Int
    let end: Int

    init(_ bytes: [UInt8], range: Range<Int>, base: Int = 0) {
        self.bytes = bytes
        self.base = base
        position = range.lowerBound
        end = range.upperBound
    }

    var remaining: Int { end - position }
    var isAtEnd: Bool { position >= end }
    var offset: Int { base + position }

    mutating func u8(_ what: String) throws(ReplayError) -> UInt8 {
        guard position < end else { throw ReplayError(offset: offset, problem: .malformed("record ends inside \(what)")) }
        defer { position += 1 }
        return bytes[position]
    }

    mutating func integer<T: FixedWidthInteger>(_ type: T.Type, _ what: String) throws(ReplayError) -> T {
        let size = MemoryLayout<T>.size
        guard remaining >= size else { throw ReplayError(offset: offset, problem: .malformed("record ends inside \(what)")) }
        var value: T = 0
        for index in 0..<size { value |= T(bytes[position + index]) << (8 * index) }
        position += size
        return value
    }

    mutating func varint(_ what: String) throws(ReplayError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        let start = offset
        while true {
            let byte = try u8(what)
            guard shift < 64 else { throw ReplayError(offset: start, problem: .malformed("\(what) varint longer than 64 bits")) }
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
        }
    }

    mutating func take(_ count: Int, _ what: String) throws(ReplayError) -> ArraySlice<UInt8> {
        guard count >= 0, remaining >= count else { throw ReplayError(offset: offset, problem: .malformed("record ends inside \(what)")) }
        defer { position += count }
        return bytes[position..<position + count]
    }

    mutating func shortString(_ what: String) throws(ReplayError) -> String {
        let length = Int(try u8(what))
        let start = offset
        let raw = try take(length, what)
        guard let text = String(validating: raw, as: UTF8.self) else {
            throw ReplayError(offset: start, problem: .malformed("\(what) is not valid UTF-8"))
        }
        return text
    }
}
