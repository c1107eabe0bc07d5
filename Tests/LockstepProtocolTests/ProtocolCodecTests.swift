import CAllocationCounter
import LockstepCore
import Testing
@testable import LockstepProtocol

@Suite struct ProtocolCodecTests {
    static func decodeServer(_ writer: WireWriter) throws -> ServerMessage {
        try writer.bytes.withUnsafeBytes { try ServerMessage.decode($0) }
    }

    @Test func helloRoundTripsWithAndWithoutALastTick() throws {
        for hello in [Hello(token: "abc.def"), Hello(token: "tok", lastTick: Tick(1234))] {
            var writer = WireWriter()
            ClientMessageEncoder.hello(hello, into: &writer)
            let decoded = try writer.bytes.withUnsafeBytes { raw throws -> Hello? in
                if case .hello(let value) = try ClientMessage.decode(raw) { return value }
                return nil
            }
            #expect(decoded == hello)
        }
    }

    @Test func inputDecodesTickSlotAndPayloadWithoutCopying() throws {
        var writer = WireWriter()
        ClientMessageEncoder.input(tick: Tick(77), slot: PlayerSlot(3), payload: [1, 2, 3, 4, 5], into: &writer)
        // The documented bytes: type 0x02, tick 77 LE, slot 3, payload.
        #expect(writer.bytes == [0x02, 0x4D, 0x00, 0x00, 0x00, 0x03, 1, 2, 3, 4, 5])
        try writer.bytes.withUnsafeBytes { raw in
            guard case .input(let tick, let slot, let payload) = try ClientMessage.decode(raw) else {
                Issue.record("not an input")
                return
            }
            #expect(tick == Tick(77) && slot == PlayerSlot(3) && Array(payload) == [1, 2, 3, 4, 5])
            #expect(payload.baseAddress == raw.baseAddress.map { $0 + 6 })
        }
    }

    @Test func everyServerMessageRoundTrips() throws {
        let schedule = WireSchedule(baseTick: Tick(10), epoch: 123_456_789, tickRate: 30)
        let welcome = Welcome(
            role: .player, slot: PlayerSlot(2), playerCount: 4, tickRate: 30, inputDelay: 2, leadWindow: 32, payloadLimit: 32,
            hashInterval: 30, spectatorDelay: 0, seed: 99, simulationVersion: 1, phase: .running, nextTick: Tick(12),
            schedule: schedule, serverTime: 555, roomID: "room-α", simulationID: "lockstep.arena")
        let frame = ConfirmedFrame(tick: Tick(5), inputs: [(.onTime, [1, 2]), (.missingFilled, []), (.lateMoved, [9]), (.disconnected, [])])
        let messages: [ServerMessage] = [
            .welcome(welcome), .frame(frame), .frameBatch([frame, ConfirmedFrame(tick: Tick(6), inputs: [(.onTime, [7])])]),
            .pong(clientTime: 1, serverTime: 2, nextTick: Tick(3)),
            .event(.desync(slot: PlayerSlot(1), tick: Tick(90), expected: 0xAA, actual: 0xBB), tick: Tick(95), detail: "majority 3 of 4"),
            .event(.matchEnd(reason: .tickLimit), tick: Tick(100), detail: ""), .event(.joined(slot: PlayerSlot(0)), tick: .zero, detail: "x"),
            .error(code: ProtocolErrorCode.invalidToken.rawValue, fatal: true, message: "invalid token: bad signature"),
            .schedule(schedule),
        ]
        for message in messages {
            var writer = WireWriter()
            switch message {
            case .welcome(let value): ServerMessageEncoder.welcome(value, into: &writer)
            case .frame(let value): ServerMessageEncoder.frame(value, into: &writer)
            case .frameBatch(let frames):
                ServerMessageEncoder.frameBatchHeader(count: frames.count, into: &writer)
                for value in frames { ServerMessageEncoder.frameBody(value, into: &writer) }
            case .pong(let c, let s, let n): ServerMessageEncoder.pong(clientTime: c, serverTime: s, nextTick: n, into: &writer)
            case .event(let event, let tick, let detail): ServerMessageEncoder.event(event, tick: tick, detail: detail, into: &writer)
            case .error: ServerMessageEncoder.error(ProtocolError(.invalidToken, "bad signature"), into: &writer)
            case .schedule(let value): ServerMessageEncoder.schedule(value, into: &writer)
            }
            #expect(try Self.decodeServer(writer) == message)
        }
    }

    /// Seeded random bytes, and every truncation of valid messages: decoding throws a typed error
    /// or returns a message; it never crashes.
    @Test func garbageAndTruncatedMessagesAreTypedErrorsNeverCrashes() {
        var random = SeededRandom(seed: 6455)
        var errors = 0
        for _ in 0..<20_000 {
            let length = random.next(in: 0...40)
            var bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            if !bytes.isEmpty && random.chance(1, in: 2) { bytes[0] = UInt8(random.next(in: 1...7)) }
            bytes.withUnsafeBytes { raw in
                do { _ = try ClientMessage.decode(raw) } catch { errors += 1 }
                do { _ = try ServerMessage.decode(raw) } catch { errors += 1 }
            }
        }
        #expect(errors > 20_000)
        var writer = WireWriter()
        ClientMessageEncoder.hello(Hello(token: "token", lastTick: Tick(5)), into: &writer)
        for cut in 0..<writer.bytes.count {
            let prefix = Array(writer.bytes[0..<cut])
            #expect(throws: ProtocolError.self) { try prefix.withUnsafeBytes { _ = try ClientMessage.decode($0) } }
        }
    }

    @Test func unknownTypesAndServerTypesFromClientsAreRejectedWithTheirCode() {
        for bytes: [UInt8] in [[0x7F], [0x81], [0x00]] {
            #expect(throws: ProtocolError(.unknownMessageType, "type 0x\(String(bytes[0], radix: 16)) is not a client message")) {
                try bytes.withUnsafeBytes { _ = try ClientMessage.decode($0) }
            }
        }
        #expect(throws: ProtocolError.self) { try [UInt8]([0x04, 1, 2, 3, 4, 5, 6, 7, 8, 9]).withUnsafeBytes { _ = try ClientMessage.decode($0) } }
    }

    @Test func encodingAFrameForBroadcastAllocatesNothingOnceWarm() {
        var writer = WireWriter(capacity: 256)
        var frame = ConfirmedFrame(tick: .zero, reservingSlots: 8, payloadBytes: 256)
        let payload: [UInt8] = [1, 2, 3, 4, 5]
        func run(_ count: Int) {
            for tick in 0..<count {
                frame.reset(tick: Tick(UInt32(tick)))
                payload.withUnsafeBytes { raw in for _ in 0..<8 { frame.append(status: .onTime, payload: raw) } }
                writer.clear()
                ServerMessageEncoder.frame(frame, into: &writer)
            }
        }
        run(10)
        let before = lockstep_thread_allocations()
        run(10_000)
        #expect(lockstep_thread_allocations() - before == 0)
    }

    /// The server decodes every INPUT, STATE_HASH and PING a player sends: that path allocates
    /// nothing (it once built the message's name for an error that was not thrown).
    @Test func decodingClientGameMessagesAllocatesNothingOnceWarm() throws {
        var messages: [[UInt8]] = []
        var writer = WireWriter()
        ClientMessageEncoder.input(tick: Tick(9), slot: PlayerSlot(1), payload: [1, 2, 3, 4, 5], into: &writer)
        messages.append(writer.bytes)
        writer.clear()
        ClientMessageEncoder.stateHash(tick: Tick(30), hash: 0xFEED, into: &writer)
        messages.append(writer.bytes)
        writer.clear()
        ClientMessageEncoder.ping(clientTime: 12345, into: &writer)
        messages.append(writer.bytes)
        var decoded = 0
        func run(_ count: Int) throws {
            for index in 0..<count {
                try messages[index % messages.count].withUnsafeBytes { raw in
                    switch try ClientMessage.decode(raw) {
                    case .input, .stateHash, .ping: decoded += 1
                    default: break
                    }
                }
            }
        }
        try run(30)
        let before = lockstep_thread_allocations()
        try run(9_000)
        #expect(lockstep_thread_allocations() - before == 0)
        #expect(decoded == 9_030)
    }

    @Test func fatalErrorsCloseWith4000PlusTheirCode() {
        #expect(ProtocolErrorCode.invalidToken.closeCode == 4010)
        #expect(ProtocolErrorCode.invalidToken.isFatal)
        #expect(!ProtocolErrorCode.duplicateInput.isFatal)
    }
}
