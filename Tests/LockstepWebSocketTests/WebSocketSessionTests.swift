import Testing
@testable import LockstepWebSocket

@Suite struct WebSocketSessionTests {
    private let hello = Array("Hello".utf8)

    @Test func rfcFramesDecodeAtEverySplitSize() {
        for chunk in 1...12 {
            var client = FrameFeeder(role: .client)
            client.feed(RFCFrames.unmaskedHello + RFCFrames.fragmentedHello + RFCFrames.unmaskedPing, chunk: chunk)
            #expect(client.events == [.message(.text, hello), .message(.text, hello), .action(.sendPong)])
            var server = FrameFeeder(role: .server)
            server.feed(RFCFrames.maskedHello + RFCFrames.maskedPong, chunk: chunk)
            #expect(server.events == [.message(.text, hello), .action(.pongReceived)])
        }
    }

    @Test func controlFramesInterleaveWithFragments() {
        var client = FrameFeeder(role: .client)
        client.feed([0x01, 0x03, 0x48, 0x65, 0x6c] + RFCFrames.unmaskedPing + [0x80, 0x02, 0x6c, 0x6f])
        #expect(client.events == [.action(.sendPong), .message(.text, hello)])
    }

    @Test func largeBinaryMessagesAreDelivered() {
        let payload = (0..<65536).map { UInt8(truncatingIfNeeded: $0) }
        var client = FrameFeeder(role: .client)
        client.feed(RFCFrames.binary64KHeader + payload, chunk: 1000)
        #expect(client.events == [.message(.binary, payload)])
    }

    @Test func continuationWithoutStartAndNewMessageInsideFragmentsFail() {
        var orphan = FrameFeeder(role: .client)
        orphan.feed([0x80, 0x01, 0x41])
        #expect(orphan.events == [.action(.failConnection(.unexpectedContinuation))])
        var interleaved = FrameFeeder(role: .client)
        interleaved.feed([0x01, 0x01, 0x41, 0x81, 0x01, 0x41])
        #expect(interleaved.events == [.action(.failConnection(.expectedContinuation))])
    }

    /// "κόσμε" split inside a code point is fine; an invalid byte in the second fragment fails
    /// at that fragment, before the final one arrives.
    @Test func invalidUTF8FailsFastAcrossFragments() {
        let kosme: [UInt8] = [0xce, 0xba, 0xe1, 0xbd, 0xb9, 0xcf, 0x83, 0xce, 0xbc, 0xce, 0xb5]
        var valid = FrameFeeder(role: .client)
        valid.feed([0x01, 0x03] + kosme[0..<3] + [0x80, 0x08] + kosme[3...])
        #expect(valid.events == [.message(.text, kosme)])
        var invalid = FrameFeeder(role: .client)
        invalid.feed([0x01, 0x01, 0xce, 0x00, 0x01, 0xff])
        #expect(invalid.events == [.action(.failConnection(.invalidUTF8))])
        var truncated = FrameFeeder(role: .client)
        truncated.feed([0x81, 0x01, 0xce])
        #expect(truncated.events == [.action(.failConnection(.invalidUTF8))])
    }

    /// One masked text frame arriving byte by byte: the bad byte fails the connection before
    /// the frame's last byte arrives; a valid frame split the same way still arrives intact.
    @Test func invalidUTF8FailsFastInsideOneFrameArrivingInPieces() {
        let key = WebSocketMaskingKey(word: 0xA1B2_C3D4)
        func maskedText(_ payload: [UInt8]) -> [UInt8] {
            var frame: [UInt8] = []
            payload.withUnsafeBytes { WebSocketFrameEncoder.appendFrame(to: &frame, opcode: .text, payload: $0, maskingKey: key) }
            return frame
        }
        let bad = maskedText(Array("hello".utf8) + [0xFF] + Array(String(repeating: "x", count: 50).utf8))
        var server = FrameFeeder(role: .server)
        server.feed(Array(bad.prefix(6 + 6)), chunk: 1)
        #expect(server.events == [.action(.failConnection(.invalidUTF8))])
        let good = Array(String(repeating: "κόσμε", count: 20).utf8)
        for chunk in [1, 3, 7, 64] {
            var feeder = FrameFeeder(role: .server)
            feeder.feed(maskedText(good), chunk: chunk)
            #expect(feeder.events == [.message(.text, good)])
        }
    }

    @Test func messageLimitCountsAllFragments() {
        var client = FrameFeeder(role: .client, maxMessageSize: 4)
        client.feed([0x02, 0x03, 1, 2, 3, 0x80, 0x02, 4, 5])
        #expect(client.events == [.action(.failConnection(.messageTooLarge(limit: 4)))])
    }

    @Test func peerCloseIsEchoedAndInvalidClosePayloadsFail() {
        var normal = FrameFeeder(role: .client)
        normal.feed([0x88, 0x02, 0x03, 0xE8])
        #expect(normal.events == [.action(.replyToClose(code: .normalClosure, payload: [0x03, 0xE8]))])
        var empty = FrameFeeder(role: .client)
        empty.feed([0x88, 0x00])
        #expect(empty.events == [.action(.replyToClose(code: .noStatusReceived, payload: []))])
        for bad: [UInt8] in [[0x88, 0x01, 0x03], [0x88, 0x02, 0x03, 0xED], [0x88, 0x02, 0x00, 0x00], [0x88, 0x02, 0x0B, 0xB8 - 1]] {
            var client = FrameFeeder(role: .client)
            client.feed(bad)
            #expect(client.events == [.action(.failConnection(.invalidClosePayload))])
        }
        var badReason = FrameFeeder(role: .client)
        badReason.feed([0x88, 0x03, 0x03, 0xE8, 0xFF])
        #expect(badReason.events == [.action(.failConnection(.invalidUTF8))])
    }

    @Test func ourCloseThenTheirsCompletesTheHandshake() {
        var client = FrameFeeder(role: .client)
        let first = client.session.startClosing()
        let second = client.session.startClosing()
        #expect(first && !second)
        client.feed(RFCFrames.unmaskedHello + [0x88, 0x02, 0x03, 0xE9])
        #expect(client.events == [.action(.closeHandshakeComplete(code: .goingAway))])
        #expect(client.session.state == .closed)
    }
}
