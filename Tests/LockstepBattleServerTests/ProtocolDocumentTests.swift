import Foundation
import LockstepBattleServer
import LockstepCore
import LockstepProtocol
import Testing

/// docs/PROTOCOL.md's worked example is the encoders' exact output: the document and the code
/// cannot drift apart.
@Suite struct ProtocolDocumentTests {
    static let secret = Array("example-secret".utf8)
    static let token = JoinToken(roomID: "room-1", playerID: "alice", role: .player(PlayerSlot(0)), expiresAt: 1_800_000_000)

    /// The example's messages, in order, as (name, bytes).
    static func exampleMessages() -> [(String, [UInt8])] {
        let tokenText = TokenSigner(secret: secret).mint(token)
        var messages: [(String, [UInt8])] = []
        var writer = WireWriter()
        ClientMessageEncoder.hello(Hello(token: tokenText), into: &writer)
        messages.append(("HELLO", writer.bytes))
        writer.clear()
        let schedule = WireSchedule(baseTick: Tick(0), epoch: 5_000_000_000, tickRate: 30)
        ServerMessageEncoder.welcome(
            Welcome(
                role: .player, slot: PlayerSlot(0), playerCount: 2, tickRate: 30, inputDelay: 2, leadWindow: 32, payloadLimit: 32,
                hashInterval: 30, spectatorDelay: 0, seed: 42, simulationVersion: 1, phase: .waiting, nextTick: Tick(0),
                schedule: schedule, serverTime: 4_800_000_000, roomID: "room-1", simulationID: "lockstep.arena"),
            into: &writer)
        messages.append(("WELCOME", writer.bytes))
        writer.clear()
        ServerMessageEncoder.event(.matchStart, tick: Tick(0), into: &writer)
        messages.append(("EVENT match start", writer.bytes))
        writer.clear()
        ServerMessageEncoder.schedule(schedule, into: &writer)
        messages.append(("SCHEDULE", writer.bytes))
        writer.clear()
        ClientMessageEncoder.input(tick: Tick(2), slot: PlayerSlot(0), payload: [0x7F, 0x00, 0x00, 0x40, 0x01], into: &writer)
        messages.append(("INPUT", writer.bytes))
        writer.clear()
        ServerMessageEncoder.frame(ConfirmedFrame(tick: Tick(2), inputs: [(.onTime, [0x7F, 0x00, 0x00, 0x40, 0x01]), (.missingFilled, [])]), into: &writer)
        messages.append(("FRAME", writer.bytes))
        writer.clear()
        ClientMessageEncoder.stateHash(tick: Tick(29), hash: 0x0123_4567_89AB_CDEF, into: &writer)
        messages.append(("STATE_HASH", writer.bytes))
        writer.clear()
        ClientMessageEncoder.ping(clientTime: 1_000, into: &writer)
        messages.append(("PING", writer.bytes))
        writer.clear()
        ServerMessageEncoder.pong(clientTime: 1_000, serverTime: 5_100_000_000, nextTick: Tick(3), into: &writer)
        messages.append(("PONG", writer.bytes))
        return messages
    }

    static func hex(_ bytes: [UInt8]) -> String {
        stride(from: 0, to: bytes.count, by: 16).map { start in
            bytes[start..<min(start + 16, bytes.count)].map { byte in
                let digits = String(byte, radix: 16)
                return digits.count == 1 ? "0" + digits : digits
            }.joined(separator: " ")
        }.joined(separator: "\n")
    }

    /// The example as it appears in the document.
    static func exampleText() -> String {
        exampleMessages().map { "\($0.0) (\($0.1.count) bytes)\n\(hex($0.1))" }.joined(separator: "\n\n")
    }

    @Test func theWorkedExampleInTheProtocolDocumentIsTheEncodersOutput() throws {
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)
        let path = parts.joined(separator: "/") + "/docs/PROTOCOL.md"
        let document = try String(contentsOfFile: path, encoding: .utf8)
        let example = Self.exampleText()
        if !document.contains(example) {
            print("Expected worked example:\n" + example)
        }
        #expect(document.contains(example))
        #expect(document.contains(TokenSigner(secret: Self.secret).mint(Self.token)))
    }
}
