// The game protocol's client and server messages: decode, then encode what was decoded.
//
// Input: a byte choosing client (even) or server (odd) messages, then one message.
// Properties: never a crash; whatever decodes re-encodes to bytes that decode to the same message
// and re-encode to the same bytes (encoding is canonical).
import FuzzSupport
import LockstepCore
import LockstepProtocol

/// Encodes a decoded client message again.
func encode(_ message: ClientMessage) -> [UInt8] {
    var writer = WireWriter()
    switch message {
    case .hello(let hello): ClientMessageEncoder.hello(hello, into: &writer)
    case .input(let tick, let slot, let payload): ClientMessageEncoder.input(tick: tick, slot: slot, payload: payload, into: &writer)
    case .stateHash(let tick, let hash): ClientMessageEncoder.stateHash(tick: tick, hash: hash, into: &writer)
    case .ping(let time): ClientMessageEncoder.ping(clientTime: time, into: &writer)
    case .leave: ClientMessageEncoder.leave(into: &writer)
    case .matchOver(let tick): ClientMessageEncoder.matchOver(tick: tick, into: &writer)
    case .inputDelay(let ticks): ClientMessageEncoder.inputDelay(ticks: ticks, into: &writer)
    }
    return writer.bytes
}

/// Encodes a decoded server message again (`nil` for an ERROR: its code need not be one this build knows).
func encode(_ message: ServerMessage) -> [UInt8]? {
    var writer = WireWriter()
    switch message {
    case .welcome(let welcome): ServerMessageEncoder.welcome(welcome, into: &writer)
    case .frame(let frame): ServerMessageEncoder.frame(frame, into: &writer)
    case .frameBatch(let frames):
        ServerMessageEncoder.frameBatchHeader(count: frames.count, into: &writer)
        for frame in frames { ServerMessageEncoder.frameBody(frame, into: &writer) }
    case .pong(let client, let server, let next): ServerMessageEncoder.pong(clientTime: client, serverTime: server, nextTick: next, into: &writer)
    case .event(let event, let tick, let detail): ServerMessageEncoder.event(event, tick: tick, detail: detail, into: &writer)
    case .error: return nil
    case .schedule(let schedule): ServerMessageEncoder.schedule(schedule, into: &writer)
    }
    return writer.bytes
}

func fuzzClient(_ bytes: UnsafeRawBufferPointer) {
    guard let message = try? ClientMessage.decode(bytes) else { return }
    let first = encode(message)
    let again = first.withUnsafeBytes { raw -> [UInt8]? in (try? ClientMessage.decode(raw)).map(encode) }
    fuzzExpect(again == first, "a client message does not re-encode canonically: \(first) then \(again ?? [])")
}

func fuzzServer(_ bytes: UnsafeRawBufferPointer) {
    guard let message = try? ServerMessage.decode(bytes), let first = encode(message) else { return }
    let decoded = first.withUnsafeBytes { try? ServerMessage.decode($0) }
    fuzzExpect(decoded == message, "a server message changes through encode and decode: \(message) -> \(String(describing: decoded))")
    fuzzExpect(decoded.flatMap(encode) == first, "a server message does not re-encode canonically")
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzProtocol(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    var input = FuzzInput(start, count)
    if input.byte() & 1 == 0 { fuzzClient(input.rest) } else { fuzzServer(input.rest) }
    return 0
}

/// The program's entry (SwiftPM's renamed `main`): libFuzzer's driver on `fuzzProtocol`.
@_cdecl("FuzzProtocol_main")
public func fuzzProtocolMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzzProtocol)
}
