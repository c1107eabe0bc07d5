import LockstepCore

/// Reads little-endian fields from one message, throwing `malformedMessage` on any shortfall.
/// Never copies: it walks a borrowed buffer that must outlive it.
public struct WireReader {
    /// The message bytes.
    public let bytes: UnsafeRawBufferPointer
    /// The offset of the next unread byte.
    public private(set) var position: Int

    public init(_ bytes: UnsafeRawBufferPointer, from position: Int = 0) {
        self.bytes = bytes
        self.position = position
    }

    /// Bytes not yet read.
    public var remaining: Int { bytes.count - position }

    public mutating func u8(_ field: String) throws(ProtocolError) -> UInt8 {
        guard remaining >= 1 else { throw ProtocolError(.malformedMessage, "message ends before \(field)") }
        defer { position += 1 }
        return bytes[position]
    }

    public mutating func integer<T: FixedWidthInteger>(_ type: T.Type, _ field: String) throws(ProtocolError) -> T {
        let size = MemoryLayout<T>.size
        guard remaining >= size else { throw ProtocolError(.malformedMessage, "message ends before \(field)") }
        var value: T = 0
        for index in 0..<size { value |= T(bytes[position + index]) << (8 * index) }
        position += size
        return value
    }

    public mutating func bytes(_ count: Int, _ field: String) throws(ProtocolError) -> UnsafeRawBufferPointer {
        guard count >= 0, remaining >= count else { throw ProtocolError(.malformedMessage, "message ends inside \(field)") }
        defer { position += count }
        return UnsafeRawBufferPointer(rebasing: bytes[position..<position + count])
    }

    /// The rest of the message.
    public mutating func rest() -> UnsafeRawBufferPointer {
        defer { position = bytes.count }
        return UnsafeRawBufferPointer(rebasing: bytes[position...])
    }

    public mutating func shortString(_ field: String) throws(ProtocolError) -> String {
        let length = Int(try u8(field))
        return try utf8(try bytes(length, field), field)
    }

    public func utf8(_ raw: UnsafeRawBufferPointer, _ field: String) throws(ProtocolError) -> String {
        guard let text = String(validating: raw, as: UTF8.self) else {
            throw ProtocolError(.malformedMessage, "\(field) is not valid UTF-8")
        }
        return text
    }

    /// Throws when bytes are left over. `message` names what was read, and is built only then
    /// (an interpolated name costs a reflection call and an allocation per message).
    public func expectEnd(_ message: @autoclosure () -> String) throws(ProtocolError) {
        guard remaining == 0 else { throw ProtocolError(.malformedMessage, "\(remaining) extra bytes after \(message())") }
    }
}

/// Appends little-endian fields to a reusable byte array.
public struct WireWriter {
    /// The bytes written so far.
    public var bytes: [UInt8]

    public init(capacity: Int = 64) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Empties the buffer, keeping its storage.
    public mutating func clear() { bytes.removeAll(keepingCapacity: true) }

    public mutating func u8(_ value: UInt8) { bytes.append(value) }

    public mutating func integer<T: FixedWidthInteger>(_ value: T) {
        var remaining = value.littleEndian
        withUnsafeBytes(of: &remaining) { bytes.append(contentsOf: $0) }
    }

    public mutating func raw(_ source: UnsafeRawBufferPointer) { bytes.append(contentsOf: source) }

    /// Appends `source[range]` by raw copy.
    public mutating func raw(_ source: [UInt8], _ range: Range<Int>) {
        source.withUnsafeBytes { bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: $0[range])) }
    }

    /// A UTF-8 string of at most 255 bytes after a length byte (longer is cut at a character boundary).
    public mutating func shortString(_ text: String) {
        var utf8 = Array(text.utf8)
        if utf8.count > 255 {
            var cut = 255
            while cut > 0 && utf8[cut] & 0xC0 == 0x80 { cut -= 1 }
            utf8 = Array(utf8[0..<cut])
        }
        bytes.append(UInt8(utf8.count))
        bytes.append(contentsOf: utf8)
    }

    /// UTF-8 text with no length (for the last field of a message).
    public mutating func text(_ text: String) { bytes.append(contentsOf: text.utf8) }
}
