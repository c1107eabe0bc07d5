import Testing
@testable import LockstepWebSocket

@Suite struct WebSocketFrameEncoderTests {
    @Test func encodesTheRFCExamples() {
        var unmasked: [UInt8] = []
        Array("Hello".utf8).withUnsafeBytes {
            WebSocketFrameEncoder.appendFrame(to: &unmasked, opcode: .text, payload: $0)
        }
        #expect(unmasked == RFCFrames.unmaskedHello)
        var masked: [UInt8] = []
        Array("Hello".utf8).withUnsafeBytes {
            WebSocketFrameEncoder.appendFrame(to: &masked, opcode: .text, payload: $0, maskingKey: WebSocketMaskingKey(word: 0x3d21_fa37))
        }
        #expect(masked == RFCFrames.maskedHello)
    }

    @Test func headerLengthFormsMatchTheRFC() {
        var small: [UInt8] = []
        WebSocketFrameEncoder.header(opcode: .binary, payloadLength: 256).withUnsafeBytes { small = Array($0) }
        #expect(small == RFCFrames.binary256Header)
        var large: [UInt8] = []
        WebSocketFrameEncoder.header(opcode: .binary, payloadLength: 65536).withUnsafeBytes { large = Array($0) }
        #expect(large == RFCFrames.binary64KHeader)
    }

    @Test func maskingAtAnyOffsetEqualsBytewiseXor() {
        let key = WebSocketMaskingKey(word: 0x1234_5678)
        let keyBytes: [UInt8] = [0x78, 0x56, 0x34, 0x12]
        let original = (0..<37).map { UInt8(truncatingIfNeeded: $0 &* 13) }
        for offset in 0..<4 {
            var bytes = original
            bytes.withUnsafeMutableBytes { key.apply(to: $0, offset: offset) }
            let expected = original.enumerated().map { $0.element ^ keyBytes[($0.offset + offset) % 4] }
            #expect(bytes == expected)
        }
    }

    @Test func closeReasonIsTruncatedOnACharacterBoundary() {
        let payload = WebSocketFrameEncoder.closePayload(code: .goingAway, reason: String(repeating: "é", count: 100))
        #expect(payload.count <= 125)
        #expect(payload.prefix(2) == [0x03, 0xE9])
        #expect(payload.dropFirst(2).withUnsafeBytes(UTF8Validator.isValid))
    }
}
