import Foundation
import LockstepBattleServer
import LockstepCore
import LockstepProtocol
import LockstepReplay
import LockstepRoom
import Testing

/// docs/PROTOCOL.md's hex examples are parsed out of the document and compared byte for byte with
/// the encoders' output for the values the document states, and with what a live room sends at
/// the stated times: the document and the code cannot drift apart.
@Suite struct ProtocolDocumentTests {
    static let secret = Array("example-secret".utf8)
    static let token = JoinToken(roomID: "room-1", playerID: "alice", role: .player(PlayerSlot(0)), expiresAt: 1_800_000_000)
    static let alicePayload: [UInt8] = [0x7F, 0x00, 0x00, 0x40, 0x01]

    // MARK: The document

    static func document() throws -> String {
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)
        return try String(contentsOfFile: parts.joined(separator: "/") + "/docs/PROTOCOL.md", encoding: .utf8)
    }

    /// One hex example of the document: `NAME (N bytes)` then lines of hex byte pairs.
    struct HexExample: Equatable, CustomStringConvertible {
        var name: String
        var declaredCount: Int
        var bytes: [UInt8]
        var description: String { "\(name) (\(declaredCount) bytes): \(bytes.map { String(format: "%02x", $0) }.joined(separator: " "))" }
    }

    static func isHexLine(_ line: Substring) -> Bool {
        let pairs = line.split(separator: " ", omittingEmptySubsequences: false)
        return !pairs.isEmpty && pairs.allSatisfy { $0.count == 2 && $0.allSatisfy(\.isHexDigit) }
    }

    static func hexBytes(_ line: Substring) -> [UInt8] {
        line.split(separator: " ").compactMap { UInt8($0, radix: 16) }
    }

    /// Every hex example in the document's fenced blocks, in order. A hex line outside an example
    /// (no `NAME (N bytes)` line above it) is reported in `orphans`.
    static func hexExamples(in document: String) -> (examples: [HexExample], orphans: [String]) {
        var examples: [HexExample] = []
        var orphans: [String] = []
        var inFence = false
        var current: HexExample?
        func finish() {
            if let example = current { examples.append(example) }
            current = nil
        }
        for rawLine in document.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = rawLine.drop { $0 == " " }
            if line.hasPrefix("```") {
                finish()
                inFence.toggle()
                continue
            }
            guard inFence else { continue }
            if isHexLine(line) {
                if current == nil { orphans.append(String(line)) } else { current?.bytes += hexBytes(line) }
            } else if line.hasSuffix(" bytes)"), let open = line.lastIndex(of: "("),
                let count = Int(line[line.index(after: open)...].dropLast(" bytes)".count))
            {
                finish()
                current = HexExample(name: String(line[..<open].dropLast()), declaredCount: count, bytes: [])
            } else {
                finish()
            }
        }
        return (examples, orphans)
    }

    /// The inline code spans of the document made only of hex byte pairs (four or more).
    static func inlineHex(in document: String) -> [[UInt8]] {
        let spans = document.split(separator: "`", omittingEmptySubsequences: false).enumerated().filter { $0.offset % 2 == 1 }.map(\.element)
        return spans.filter { isHexLine($0) && $0.split(separator: " ").count >= 4 }.map { hexBytes($0) }
    }

    // MARK: The example's values

    /// The example's room: `room-1`, two players, 30 Hz, input delay 2, seed 42, everything else
    /// the admin API's defaults. Its phase in the period (50 ns) puts tick 0 at 5 s exactly.
    static func exampleRoom(output: RoomOutput, createdAt: UInt64) throws -> Room {
        let input = try InputCollectorConfiguration(slotCount: 2, payloadLimit: 32, leadWindow: 32, lateWindow: 8, latePolicy: .drop, missingPolicy: .repeatLast)
        let settings = try RoomSettings(
            roomID: "room-1", players: 2, tickRate: try TickRate(hertz: 30), inputDelay: 2, input: input, simulationID: "lockstep.arena",
            simulationVersion: 1, seed: 42, phaseOffsetNanos: 50)
        return try Room(settings: settings, output: output, now: createdAt)
    }

    static func encoded(_ body: (inout WireWriter) -> Void) -> [UInt8] {
        var writer = WireWriter()
        body(&writer)
        return writer.bytes
    }

    /// The example's messages, in order, from the encoders for the values the document states.
    static func encodedExample() -> [HexExample] {
        let tokenText = TokenSigner(secret: secret).mint(token)
        let running = WireSchedule(baseTick: Tick(0), epoch: 5_000_000_000, tickRate: 30)
        let waiting = WireSchedule(baseTick: Tick(0), epoch: 0, tickRate: 30)  // no schedule yet
        let messages: [(String, [UInt8])] = [
            ("HELLO", encoded { ClientMessageEncoder.hello(Hello(token: tokenText), into: &$0) }),
            ("WELCOME", encoded {
                ServerMessageEncoder.welcome(
                    Welcome(
                        role: .player, slot: PlayerSlot(0), playerCount: 2, tickRate: 30, inputDelay: 2, leadWindow: 32, payloadLimit: 32,
                        hashInterval: 30, spectatorDelay: 0, seed: 42, simulationVersion: 1, phase: .waiting, nextTick: Tick(0),
                        schedule: waiting, serverTime: 4_800_000_000, roomID: "room-1", simulationID: "lockstep.arena"),
                    into: &$0)
            }),
            ("EVENT match start", encoded { ServerMessageEncoder.event(.matchStart, tick: Tick(0), into: &$0) }),
            ("SCHEDULE", encoded { ServerMessageEncoder.schedule(running, into: &$0) }),
            ("INPUT", encoded { ClientMessageEncoder.input(tick: Tick(2), slot: PlayerSlot(0), payload: alicePayload, into: &$0) }),
            ("FRAME", encoded {
                ServerMessageEncoder.frame(ConfirmedFrame(tick: Tick(2), inputs: [(.onTime, alicePayload), (.missingFilled, [])]), into: &$0)
            }),
            ("STATE_HASH", encoded { ClientMessageEncoder.stateHash(tick: Tick(29), hash: 0x0123_4567_89AB_CDEF, into: &$0) }),
            ("PING", encoded { ClientMessageEncoder.ping(clientTime: 1_000, into: &$0) }),
            ("PONG", encoded { ServerMessageEncoder.pong(clientTime: 1_000, serverTime: 5_100_000_000, nextTick: Tick(3), into: &$0) }),
        ]
        return messages.map { HexExample(name: $0.0, declaredCount: $0.1.count, bytes: $0.1) }
    }

    // MARK: Tests

    @Test func everyHexExampleInTheProtocolDocumentIsTheEncodersOutputForItsStatedValues() throws {
        let document = try Self.document()
        let (examples, orphans) = Self.hexExamples(in: document)
        #expect(orphans.isEmpty, "hex lines outside a `NAME (N bytes)` example: \(orphans)")
        for example in examples {
            #expect(example.bytes.count == example.declaredCount, "\(example.name) says \(example.declaredCount) bytes, holds \(example.bytes.count)")
        }
        let expected = Self.encodedExample()
        #expect(examples.map(\.name) == expected.map(\.name))
        for (found, wanted) in zip(examples, expected) {
            #expect(found == wanted, "the document's \(found.name) differs from the encoders' output:\n\(found)\n\(wanted)")
        }
        // The token, and its claims as the prose spells them out.
        #expect(document.contains("\n" + TokenSigner(secret: Self.secret).mint(Self.token) + "\n"))
        #expect(Self.inlineHex(in: document) == [Self.token.claims])
    }

    /// The example's server messages are what a room sends when the exchange is played on it at
    /// the document's times: Alice's HELLO at 4.8 s (the room is waiting: no schedule, epoch 0),
    /// Bob's at 4.8 s (the start decision: tick 0 due 200 ms later), her INPUT, the deadline of
    /// tick 2, her PING at 5.1 s. Client messages are the document's own bytes, decoded.
    @Test func theWorkedExampleIsWhatALiveRoomSendsAtTheStatedTimes() throws {
        let documented = Dictionary(
            Self.hexExamples(in: try Self.document()).examples.map { ($0.name, $0.bytes) }, uniquingKeysWith: { first, _ in first })
        let output = CapturingOutput()
        let room = try Self.exampleRoom(output: output, createdAt: 4_000_000_000)
        /// Decodes the document's message `name` and hands it to the room (an INPUT's payload
        /// points into the bytes: it is used before they go).
        func deliver(_ name: String, from connection: ConnectionID, now: UInt64) throws {
            let bytes = try #require(documented[name], "no \(name) in the document")
            try bytes.withUnsafeBytes { raw in room.receive(try ClientMessage.decode(raw), from: connection, now: now) }
        }
        let alice = ConnectionID(1)
        let bob = ConnectionID(2)
        let helloBytes = try #require(documented["HELLO"])
        guard case .hello(let hello) = try helloBytes.withUnsafeBytes({ try ClientMessage.decode($0) }) else {
            Issue.record("the document's HELLO is not a HELLO")
            return
        }
        let claims = try TokenSigner(secret: Self.secret).verify(hello.token, now: 1_700_000_000)
        #expect(claims == Self.token && hello.lastTick == nil && hello.version == 1)
        try room.join(alice, as: .player(PlayerSlot(0)), lastTick: nil, now: 4_800_000_000)
        try room.join(bob, as: .player(PlayerSlot(1)), lastTick: nil, now: 4_800_000_000)
        try deliver("INPUT", from: alice, now: 4_900_000_000)
        room.advance(now: 5_066_666_666)  // the deadline of tick 2: 5 s + 2 × 10⁹ / 30, rounded down
        try deliver("PING", from: alice, now: 5_100_000_000)
        let sent = output.sent[alice] ?? []
        func first(_ type: MessageType, where condition: ([UInt8]) -> Bool = { _ in true }) -> [UInt8]? {
            sent.first { $0.first == type.rawValue && condition($0) }
        }
        #expect(first(.welcome) == documented["WELCOME"])
        #expect(first(.event) { $0.count > 1 && $0[1] == RoomEvent.matchStart.kind } == documented["EVENT match start"])
        #expect(first(.schedule) == documented["SCHEDULE"])
        #expect(first(.frame) { $0.count > 4 && $0[1] == 2 } == documented["FRAME"])
        #expect(first(.pong) == documented["PONG"])
    }

    /// The document's *When tick 0 is due*: the first instant on the room's phase at least 200 ms
    /// after the start decision.
    @Test func tickZeroIsDueOnTheRoomsPhaseAtLeast200MillisecondsAfterTheStartDecision() throws {
        let period: UInt64 = 1_000_000_000 / 30
        for (phase, decision) in [(UInt64(0), UInt64(7_123_456_789)), (12_345_678, 7_000_000_000), (33_333_332, 9_999_999_999)] {
            let output = CapturingOutput()
            let input = try InputCollectorConfiguration(slotCount: 2)
            let settings = try RoomSettings(roomID: "r", players: 2, tickRate: try TickRate(hertz: 30), input: input, phaseOffsetNanos: phase)
            let room = try Room(settings: settings, output: output, now: 0)
            try room.join(ConnectionID(1), as: .player(PlayerSlot(0)), lastTick: nil, now: decision)
            try room.join(ConnectionID(2), as: .player(PlayerSlot(1)), lastTick: nil, now: decision)
            let schedule = try #require(output.decoded(ConnectionID(1)).compactMap { if case .schedule(let s) = $0 { s } else { nil } }.first)
            #expect(schedule.baseTick == Tick(0))
            #expect(schedule.epoch >= decision + 200_000_000 && schedule.epoch < decision + 200_000_000 + period)
            #expect(schedule.epoch % period == phase)
        }
    }

    /// The document's *Re-anchoring*: five late ticks in a row are confirmed back to back; at the
    /// sixth the room sends a SCHEDULE (B = that tick, E = now), then that tick's FRAME.
    @Test func aRoomReanchorsItsScheduleAfterFiveLateTicksInARow() throws {
        let output = CapturingOutput()
        let room = try Self.exampleRoom(output: output, createdAt: 0)
        let alice = ConnectionID(1)
        try room.join(alice, as: .player(PlayerSlot(0)), lastTick: nil, now: 4_800_000_000)
        try room.join(ConnectionID(2), as: .player(PlayerSlot(1)), lastTick: nil, now: 4_800_000_000)
        let epoch: UInt64 = 5_000_000_000
        let period: UInt64 = 1_000_000_000 / 30
        room.advance(now: epoch)  // tick 0, on time
        output.sent[alice] = []
        let late = epoch + 20 * period  // the loop was stalled for 20 periods
        room.advance(now: late)
        let messages = output.decoded(alice)
        let summary = messages.map { message -> String in
            switch message {
            case .frame(let frame): "F\(frame.tick.rawValue)"
            case .schedule(let schedule): "S\(schedule.baseTick.rawValue)@\(schedule.epoch)"
            default: "?"
            }
        }
        #expect(summary == ["F1", "F2", "F3", "F4", "F5", "S6@\(late)", "F6"])
        // From then on, ticks follow the new schedule: tick 7 is due one period after it.
        output.sent[alice] = []
        room.advance(now: late + period - 1)
        #expect(output.decoded(alice).isEmpty)
        room.advance(now: late + period)
        let ticks: [UInt32] = output.decoded(alice).map { message in
            guard case .frame(let frame) = message else { return UInt32.max }
            return frame.tick.rawValue
        }
        #expect(ticks == [7])
    }
}

/// A `RoomOutput` that keeps every message the room sends, by connection, as bytes.
final class CapturingOutput: RoomOutput {
    var sent: [ConnectionID: [[UInt8]]] = [:]

    func send(_ message: UnsafeRawBufferPointer, to connection: ConnectionID) { sent[connection, default: []].append(Array(message)) }
    func broadcast(_ message: UnsafeRawBufferPointer, to connections: [ConnectionID]) {
        for connection in connections { send(message, to: connection) }
    }
    func close(_ connection: ConnectionID, code: UInt16, reason: String) {}
    func isWritable(_ connection: ConnectionID) -> Bool { true }
    var canReadFramesFromDisk: Bool { false }
    func requestFramesFromDisk(_ range: Range<Tick>, for connection: ConnectionID) -> Bool { false }
    func recordFrame(_ frame: ConfirmedFrame) {}
    func recordEvent(_ event: ReplayEvent) {}
    func recordCheckpoint(_ checkpoint: ReplayCheckpoint) {}
    func roomEnded(reason: MatchEndReason, finalHash: UInt64) {}
    func log(_ level: LogLevel, _ message: String, _ fields: [(String, String)]) {}

    func decoded(_ connection: ConnectionID) -> [ServerMessage] {
        (sent[connection] ?? []).compactMap { bytes in bytes.withUnsafeBytes { try? ServerMessage.decode($0) } }
    }
}
