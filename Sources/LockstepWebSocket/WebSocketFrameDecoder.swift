/// Decodes frame headers from the start of a byte buffer, enforcing every header-level rule.
///
/// "Need more bytes" is a `nil` return, not an error, so partial reads never look like
/// violations. All checks that can be made from the header are made before the payload arrives,
/// so an oversized or malformed frame fails the connection without buffering it.
public struct WebSocketFrameDecoder: Sendable {
    /// Which end this decoder serves: a server requires masked frames, a client unmasked ones.
    public var role: WebSocketRole
    /// The largest payload accepted in one frame.
    public var maxFrameSize: Int

    /// Creates a decoder for `role` with a frame limit.
    public init(role: WebSocketRole, maxFrameSize: Int) {
        self.role = role
        self.maxFrameSize = maxFrameSize
    }

    /// Decodes the header at the start of `bytes`.
    ///
    /// - Returns: the header, or `nil` when `bytes` does not hold the whole header yet.
    /// - Throws: `WebSocketProtocolError` for a header that breaks the RFC or the size limit.
    public func decodeHeader(_ bytes: UnsafeRawBufferPointer) throws(WebSocketProtocolError) -> WebSocketFrameHeader? {
        guard bytes.count >= 2 else { return nil }
        let first = bytes[0]
        let second = bytes[1]
        let opcode = WebSocketOpcode(rawValue: first)
        guard first & 0x70 == 0 else { throw .reservedBitsSet }
        guard opcode.isDefined else { throw .unknownOpcode(opcode.rawValue) }
        let masked = second & 0x80 != 0
        let shortLength = Int(second & 0x7F)
        if opcode.isControl {
            guard first & 0x80 != 0 else { throw .fragmentedControlFrame }
            guard shortLength <= 125 else { throw .controlFrameTooLong }
        }
        switch role {
        case .server: guard masked else { throw .unmaskedClientFrame }
        case .client: guard !masked else { throw .maskedServerFrame }
        }
        var headerLength = 2
        var length = UInt64(shortLength)
        if shortLength == 126 {
            guard bytes.count >= 4 else { return nil }
            length = UInt64(bytes[2]) << 8 | UInt64(bytes[3])
            headerLength = 4
        } else if shortLength == 127 {
            guard bytes.count >= 10 else { return nil }
            length = 0
            for index in 2..<10 { length = length << 8 | UInt64(bytes[index]) }
            guard length & (1 << 63) == 0 else { throw .lengthMostSignificantBitSet }
            headerLength = 10
        }
        // Compare as UInt64 before converting: `Int(length)` of a hostile 2^63 would trap.
        guard length <= UInt64(maxFrameSize) else { throw .frameTooLarge(limit: maxFrameSize) }
        var key: WebSocketMaskingKey?
        if masked {
            guard bytes.count >= headerLength + 4 else { return nil }
            key = WebSocketMaskingKey(word: bytes.loadUnaligned(fromByteOffset: headerLength, as: UInt32.self).littleEndian)
            headerLength += 4
        }
        return WebSocketFrameHeader(firstByte: first, maskingKey: key, payloadLength: Int(length), headerLength: headerLength)
    }
}
