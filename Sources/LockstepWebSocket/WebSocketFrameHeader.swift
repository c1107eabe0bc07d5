/// A decoded frame header (RFC 6455 section 5.2).
public struct WebSocketFrameHeader: Sendable, Equatable {
    /// The first header byte: FIN, RSV1–3 and the opcode.
    public var firstByte: UInt8
    /// The masking key, or `nil` for an unmasked frame.
    public var maskingKey: WebSocketMaskingKey?
    /// The payload length in bytes (already checked against the frame limit).
    public var payloadLength: Int
    /// The header length in bytes (2 to 14): the payload starts here.
    public var headerLength: Int

    /// Whether this is the final fragment of a message.
    public var fin: Bool { firstByte & 0x80 != 0 }
    /// The three reserved bits, shifted down (0 unless an extension was negotiated).
    public var rsv: UInt8 { (firstByte >> 4) & 0x7 }
    /// The opcode.
    public var opcode: WebSocketOpcode { WebSocketOpcode(rawValue: firstByte) }
    /// Header plus payload.
    public var frameLength: Int { headerLength + payloadLength }
}

/// A four-byte masking key, stored in wire order.
public struct WebSocketMaskingKey: Sendable, Equatable {
    /// The key bytes as a little-endian word loaded from the wire (byte 0 in the low bits).
    public var word: UInt32

    /// Wraps a key whose wire bytes are `word`'s little-endian bytes.
    public init(word: UInt32) {
        self.word = word
    }

    /// A random key from `generator` (clients must use an unpredictable key: RFC 6455 section 5.3).
    public static func random(using generator: inout some RandomNumberGenerator) -> WebSocketMaskingKey {
        WebSocketMaskingKey(word: UInt32.random(in: .min ... .max, using: &generator))
    }

    /// XORs `bytes` in place with this key, `offset` being the position of `bytes[0]` in the payload.
    public func apply(to bytes: UnsafeMutableRawBufferPointer, offset: Int = 0) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        let shift = UInt32((offset & 3) * 8)
        let rotated = shift == 0 ? word : (word >> shift) | (word << (32 - shift))
        let wide = UInt64(rotated) | UInt64(rotated) << 32
        var index = 0
        // Eight bytes at a time: the key repeats every four, so a doubled word lines up.
        while index + 8 <= bytes.count {
            let value = base.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            base.storeBytes(of: value ^ wide.littleEndian, toByteOffset: index, as: UInt64.self)
            index += 8
        }
        while index < bytes.count {
            let keyByte = UInt8(truncatingIfNeeded: rotated >> UInt32((index & 3) * 8))
            bytes[index] ^= keyByte
            index += 1
        }
    }
}
