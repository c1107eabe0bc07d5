// The WebSocket frame reader (decoder, unmasking, session) in either role, fed in socket-sized
// reads, and the streaming UTF-8 validator against the standard library's.
//
// Input: a role/limits byte, a read-size byte, then the bytes the peer sends.
// Properties: never a crash; every text message delivered is valid UTF-8 by `String(validating:)`;
// every message fits the message limit; `UTF8Validator` agrees with the standard library on the whole
// input and when fed in pieces.
import FuzzSupport
import LockstepWebSocket

func checkUTF8(_ bytes: UnsafeRawBufferPointer, readSize: Int) {
    let expected = String(validating: bytes, as: UTF8.self) != nil
    fuzzExpect(UTF8Validator.isValid(bytes) == expected, "UTF8Validator disagrees with the standard library")
    var streaming = UTF8Validator()
    var ok = true
    for piece in chunks(bytes, size: readSize) where ok { ok = streaming.feed(piece) }
    fuzzExpect((ok && streaming.isComplete) == expected, "UTF8Validator fed in pieces of \(readSize) disagrees")
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWebSocket(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    var input = FuzzInput(start, count)
    let control = input.byte()
    let role: WebSocketRole = control & 1 == 0 ? .server : .client
    // Small limits too, so the fuzzer reaches the "too large" paths with small inputs.
    let maxFrame = control & 2 == 0 ? 1 << 20 : 64
    let maxMessage = control & 4 == 0 ? 1 << 20 : 100
    let readSize = input.chunkSize()
    let stream = input.rest
    checkUTF8(stream, readSize: readSize)

    var reader = WebSocketFrameReader(role: role, maxFrameSize: maxFrame, maxMessageSize: maxMessage)
    var buffer: [UInt8] = []
    var finished = false
    for piece in chunks(stream, size: readSize) where !finished {
        buffer.append(contentsOf: piece)
        var offset = 0
        buffer.withUnsafeMutableBytes { raw in
            while !finished {
                let before = offset
                switch reader.readFrame(raw, offset: &offset) {
                case .needMoreBytes(let frameLength):
                    if let frameLength { fuzzExpect(frameLength > raw.count - offset, "waits for a frame it holds") }
                    return
                case .action(let action, let payload):
                    fuzzExpect(offset > before && offset <= raw.count, "offset \(before) -> \(offset) of \(raw.count)")
                    switch action {
                    case .message(let kind, let source):
                        let message: [UInt8] = source == .frame ? Array(payload) : reader.session.assembledMessage
                        fuzzExpect(message.count <= maxMessage, "a message of \(message.count) bytes over the limit \(maxMessage)")
                        if kind == .text {
                            fuzzExpect(
                                message.withUnsafeBytes { String(validating: $0, as: UTF8.self) } != nil,
                                "invalid UTF-8 delivered as text")
                        }
                    case .failConnection, .replyToClose, .closeHandshakeComplete:
                        finished = true
                    case .none, .sendPong, .pongReceived:
                        break
                    }
                }
            }
        }
        buffer.removeFirst(min(offset, buffer.count))
    }
    return 0
}

/// The program's entry (SwiftPM's renamed `main`): libFuzzer's driver on `fuzzWebSocket`.
@_cdecl("FuzzWebSocket_main")
public func fuzzWebSocketMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzzWebSocket)
}
