/// Encodes frame headers into a fixed-size value (no allocation) and whole frames for clients.
public enum WebSocketFrameEncoder {
    /// The largest header: 2 bytes, an 8-byte length and a 4-byte key.
    public static let maxHeaderLength = 14

    /// A frame header held inline, at most 14 bytes.
    public struct HeaderBytes: Sendable {
        private var storage: (UInt64, UInt64) = (0, 0)
        /// The number of valid bytes.
        public private(set) var count = 0

        mutating func append(_ byte: UInt8) {
            withUnsafeMutableBytes(of: &storage) { $0[count] = byte }
            count += 1
        }

        /// Calls `body` with the header bytes.
        public func withUnsafeBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
            try Swift.withUnsafeBytes(of: storage) { try body(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
        }
    }

    /// The header of a frame with `payloadLength` bytes.
    ///
    /// - Parameters:
    ///   - fin: whether this frame ends its message.
    ///   - opcode: the frame's opcode.
    ///   - payloadLength: the payload length; must not be negative.
    ///   - maskingKey: the key for a client frame, `nil` for a server frame.
    public static func header(
        fin: Bool = true, opcode: WebSocketOpcode, payloadLength: Int, maskingKey: WebSocketMaskingKey? = nil
    ) -> HeaderBytes {
        var header = HeaderBytes()
        header.append((fin ? 0x80 : 0) | opcode.rawValue)
        let maskBit: UInt8 = maskingKey == nil ? 0 : 0x80
        if payloadLength <= 125 {
            header.append(maskBit | UInt8(payloadLength))
        } else if payloadLength <= 0xFFFF {
            header.append(maskBit | 126)
            header.append(UInt8(truncatingIfNeeded: payloadLength >> 8))
            header.append(UInt8(truncatingIfNeeded: payloadLength))
        } else {
            header.append(maskBit | 127)
            let length = UInt64(payloadLength)
            for shift in stride(from: 56, through: 0, by: -8) {
                header.append(UInt8(truncatingIfNeeded: length >> UInt64(shift)))
            }
        }
        if let maskingKey {
            for shift in stride(from: 0, through: 24, by: 8) {
                header.append(UInt8(truncatingIfNeeded: maskingKey.word >> UInt32(shift)))
            }
        }
        return header
    }

    /// Appends a whole frame to `buffer`, masking a copy of the payload when `maskingKey` is set.
    public static func appendFrame(
        to buffer: inout [UInt8], fin: Bool = true, opcode: WebSocketOpcode, payload: UnsafeRawBufferPointer,
        maskingKey: WebSocketMaskingKey? = nil
    ) {
        header(fin: fin, opcode: opcode, payloadLength: payload.count, maskingKey: maskingKey)
            .withUnsafeBytes { buffer.append(contentsOf: $0) }
        let start = buffer.count
        buffer.append(contentsOf: payload)
        if let maskingKey {
            buffer.withUnsafeMutableBytes { maskingKey.apply(to: UnsafeMutableRawBufferPointer(rebasing: $0[start...])) }
        }
    }

    /// The payload of a close frame: the code in network order followed by the UTF-8 reason,
    /// truncated so the payload stays within the 125-byte control frame limit.
    public static func closePayload(code: WebSocketCloseCode, reason: String) -> [UInt8] {
        var payload = [UInt8(truncatingIfNeeded: code.rawValue >> 8), UInt8(truncatingIfNeeded: code.rawValue)]
        var reasonBytes = Array(reason.utf8.prefix(123))
        // Do not cut a multi-byte character in half: a valid prefix is always found.
        while !reasonBytes.isEmpty, !reasonBytes.withUnsafeBytes(UTF8Validator.isValid) { reasonBytes.removeLast() }
        payload.append(contentsOf: reasonBytes)
        return payload
    }
}
