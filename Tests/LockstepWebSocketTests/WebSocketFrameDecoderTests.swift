import Testing
@testable import LockstepWebSocket

/// The example frames of RFC 6455 section 5.7, as inline bytes.
enum RFCFrames {
    /// A single-frame unmasked text message "Hello".
    static let unmaskedHello: [UInt8] = [0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f]
    /// A single-frame masked text message "Hello" (key 37 fa 21 3d).
    static let maskedHello: [UInt8] = [0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58]
    /// A fragmented unmasked text message: "Hel" then "lo".
    static let fragmentedHello: [UInt8] = [0x01, 0x03, 0x48, 0x65, 0x6c, 0x80, 0x02, 0x6c, 0x6f]
    /// An unmasked ping with body "Hello".
    static let unmaskedPing: [UInt8] = [0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f]
    /// A masked pong with body "Hello" (a response to that ping).
    static let maskedPong: [UInt8] = [0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58]
    /// The header of a 256-byte unmasked binary message (16-bit length).
    static let binary256Header: [UInt8] = [0x82, 0x7E, 0x01, 0x00]
    /// The header of a 64 KiB unmasked binary message (64-bit length).
    static let binary64KHeader: [UInt8] = [0x82, 0x7F, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00]
}

@Suite struct WebSocketFrameDecoderTests {
    private func decode(_ bytes: [UInt8], role: WebSocketRole = .client, max: Int = 1 << 20) throws -> WebSocketFrameHeader? {
        let decoder = WebSocketFrameDecoder(role: role, maxFrameSize: max)
        return try bytes.withUnsafeBytes { try decoder.decodeHeader($0) }
    }

    @Test func unmaskedHelloHeader() throws {
        let header = try #require(try decode(RFCFrames.unmaskedHello))
        #expect(header.fin && header.opcode == .text && header.payloadLength == 5 && header.headerLength == 2)
        #expect(header.maskingKey == nil)
    }

    @Test func maskedHelloHeaderCarriesTheKey() throws {
        let header = try #require(try decode(RFCFrames.maskedHello, role: .server))
        #expect(header.headerLength == 6)
        #expect(header.maskingKey == WebSocketMaskingKey(word: 0x3d21_fa37))
    }

    @Test func sixteenAndSixtyFourBitLengths() throws {
        #expect(try decode(RFCFrames.binary256Header)?.payloadLength == 256)
        #expect(try decode(RFCFrames.binary64KHeader)?.payloadLength == 65536)
    }

    @Test func partialHeadersNeedMoreBytes() throws {
        for end in 0..<RFCFrames.binary64KHeader.count {
            #expect(try decode(Array(RFCFrames.binary64KHeader.prefix(end))) == nil)
        }
        for end in 0..<6 {
            #expect(try decode(Array(RFCFrames.maskedHello.prefix(end)), role: .server) == nil)
        }
    }

    /// Regression: a 64-bit length of 2^63 must be rejected before `Int(...)`, which would trap.
    @Test func lengthOfTwoToTheSixtyThirdIsAProtocolErrorNotACrash() {
        let header: [UInt8] = [0x82, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4]
        #expect(throws: WebSocketProtocolError.lengthMostSignificantBitSet) { try decode(header, role: .server) }
        let huge: [UInt8] = [0x82, 0xFF, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 1, 2, 3, 4]
        #expect(throws: WebSocketProtocolError.frameTooLarge(limit: 1 << 20)) { try decode(huge, role: .server) }
    }

    @Test func headerRuleViolationsHaveTheirCloseCodes() {
        let cases: [([UInt8], WebSocketRole, WebSocketProtocolError)] = [
            (RFCFrames.unmaskedHello, .server, .unmaskedClientFrame),
            (RFCFrames.maskedHello, .client, .maskedServerFrame),
            ([0xC1, 0x00], .client, .reservedBitsSet),
            ([0x83, 0x00], .client, .unknownOpcode(3)),
            ([0x8B, 0x00], .client, .unknownOpcode(11)),
            ([0x09, 0x00], .client, .fragmentedControlFrame),
            ([0x89, 0x7E, 0x00, 0x7E], .client, .controlFrameTooLong),
        ]
        for (bytes, role, error) in cases {
            #expect(throws: error) { try decode(bytes, role: role) }
        }
        #expect(WebSocketProtocolError.reservedBitsSet.closeCode == .protocolError)
        #expect(WebSocketProtocolError.frameTooLarge(limit: 1).closeCode == .messageTooBig)
        #expect(WebSocketProtocolError.invalidUTF8.closeCode == .invalidFramePayloadData)
    }
}
