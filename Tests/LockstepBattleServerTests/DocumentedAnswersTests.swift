import Foundation
import LockstepBattleServer
import LockstepCore
import LockstepProtocol
import LockstepTesting
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// What docs/PROTOCOL.md says answers each edge case is what the server answers, over real sockets.
@Suite(.serialized) struct DocumentedAnswersTests {
    static func hello(flags: UInt8 = 0, declaredLength: Int? = nil, token: [UInt8]) -> [UInt8] {
        let length = UInt16(declaredLength ?? token.count)
        return [0x01, 0x01, 0x00, flags, 0, 0, 0, 0, UInt8(length & 0xFF), UInt8(length >> 8)] + token
    }

    static func ping(_ time: UInt64) -> [UInt8] {
        var writer = WireWriter()
        ClientMessageEncoder.ping(clientTime: time, into: &writer)
        return writer.bytes
    }

    static func matchOver(_ tick: UInt32) -> [UInt8] {
        var writer = WireWriter()
        ClientMessageEncoder.matchOver(tick: Tick(tick), into: &writer)
        return writer.bytes
    }

    /// Sends a PING and waits for its PONG: every message sent before it has been handled.
    static func roundTrip(_ client: TestGameClient, _ marker: UInt64) -> Bool {
        client.sendBinary(ping(marker))
        return client.waitForMessages { $0.contains { if case .pong(marker, _, _) = $0 { true } else { false } } }
    }

    static func events(_ client: TestGameClient) -> [RoomEvent] {
        client.messages.compactMap { if case .event(let event, _, _) = $0 { event } else { nil } }
    }

    @Test func oversizeTokensReservedHelloFlagsAndTextBeforeHelloAreMalformedMessages() throws {
        let server = try TestBattleServer()
        defer { server.stop() }
        let room = try server.admin.createRoom(["players": 2])
        let token = Array(room.tokens[0].utf8)
        let cases: [(String, (TestGameClient) -> Void, ProtocolErrorCode)] = [
            ("a 1025-byte token", { $0.sendBinary(Self.hello(token: Array(repeating: 0x41, count: 1025))) }, .malformedMessage),
            ("a token length of 2000 with nothing after it", { $0.sendBinary(Self.hello(declaredLength: 2000, token: [])) }, .malformedMessage),
            ("flag bit 1", { $0.sendBinary(Self.hello(flags: 0x02, token: token)) }, .malformedMessage),
            ("flag bit 7 with the resume bit", { $0.sendBinary(Self.hello(flags: 0x81, token: token)) }, .malformedMessage),
            ("a text message before HELLO", { $0.sendText("hello?") }, .malformedMessage),
            ("an INPUT before HELLO", { $0.input(tick: Tick(0), slot: PlayerSlot(0), payload: []) }, .notJoined),
            // The limit is inclusive: 1024 bytes of garbage is read, and refused as a token.
            ("a 1024-byte token", { $0.sendBinary(Self.hello(token: Array(repeating: 0x41, count: 1024))) }, .invalidToken),
        ]
        for (name, send, code) in cases {
            let client = try server.client(room: room.roomID)
            send(client)
            #expect(client.waitForClose() == code.closeCode, "\(name)")
            #expect(client.errorCodes == [code.rawValue], "\(name)")
        }
        // The valid token with clean flags is seated.
        let player = try server.client(room: room.roomID)
        player.sendBinary(Self.hello(token: token))
        #expect(player.waitForMessages { $0.contains { if case .welcome = $0 { true } else { false } } })
    }

    @Test func stateHashesForUnconfirmedTicksAndFromSpectatorsAreIgnoredWithoutAnError() throws {
        let server = try TestBattleServer()
        defer { server.stop() }
        // lockstep.arena is built in: the server's own hash judges every report it accepts. A
        // 100 ms input delay: a pause of a busy host must not make an input late (error 22).
        let room = try server.admin.createRoom(["players": 2, "tickRate": 120, "inputDelay": 12, "hashInterval": 60, "maxTicks": 100_000])
        let a = try server.client(room: room.roomID)
        let b = try server.client(room: room.roomID)
        let spectator = try server.client(room: room.roomID)
        a.play(as: PlayerSlot(0)) { _ in [1, 0, 0, 0, 0] }
        b.play(as: PlayerSlot(1)) { _ in [0, 1, 0, 0, 0] }
        a.hello(token: room.tokens[0])
        #expect(a.waitForMessages { $0.contains { if case .welcome = $0 { true } else { false } } })
        // Before the match even starts: a wrong hash for checkpoint 119, not confirmed yet.
        a.stateHash(tick: Tick(119), hash: 0xBAD)
        #expect(Self.roundTrip(a, 1))
        spectator.hello(token: room.spectatorToken)
        b.hello(token: room.tokens[1])
        #expect(a.waitForFrames(60))
        spectator.stateHash(tick: Tick(59), hash: 0xBAD)  // a confirmed checkpoint, from a spectator
        #expect(Self.roundTrip(spectator, 2))
        // Once tick 119 is confirmed (and hashed by the server), a wrong hash for it is judged
        // (checkpoints stay open for eight intervals: 4 s here).
        #expect(a.waitForFrames(130))
        b.stateHash(tick: Tick(119), hash: 0xBAD)
        #expect(a.waitForMessages { $0.contains { if case .event(.desync(PlayerSlot(1), _, _, _), _, _) = $0 { true } else { false } } })
        #expect(Self.roundTrip(a, 3))
        let desyncs = Self.events(a).filter { if case .desync = $0 { true } else { false } }
        #expect(desyncs.count == 1, "\(desyncs)")
        for client in [a, spectator] {
            #expect(client.errorCodes.isEmpty)
            #expect(client.closeCode == nil)
        }
    }

    @Test func aMatchOverWithAFutureTickCountsAsAVoteWithoutAnError() throws {
        let server = try TestBattleServer()
        defer { server.stop() }
        let room = try server.admin.createRoom(["players": 2, "tickRate": 120, "maxTicks": 1000])
        let a = try server.client(room: room.roomID)
        let b = try server.client(room: room.roomID)
        let spectator = try server.client(room: room.roomID)
        a.hello(token: room.tokens[0])
        #expect(a.waitForMessages { $0.contains { if case .welcome = $0 { true } else { false } } })
        // Before the match starts: ignored (else this vote would end the match below at b's first).
        a.sendBinary(Self.matchOver(3_000_000_000))
        #expect(Self.roundTrip(a, 1))
        b.hello(token: room.tokens[1])
        spectator.hello(token: room.spectatorToken)
        #expect(a.waitForMessages { $0.contains { if case .event(.matchStart, _, _) = $0 { true } else { false } } })
        // A spectator's vote is ignored; b's alone is one of two: no majority yet.
        spectator.sendBinary(Self.matchOver(4_000_000_000))
        #expect(Self.roundTrip(spectator, 2))
        b.sendBinary(Self.matchOver(4_000_000_000))
        #expect(Self.roundTrip(b, 3))
        #expect(!Self.events(a).contains { if case .matchEnd = $0 { true } else { false } })
        // a's vote, for a tick beyond the tick limit, makes two of two.
        a.sendBinary(Self.matchOver(4_000_000_001))
        #expect(a.waitForClose() == 1000)
        #expect(Self.events(a).contains(.matchEnd(reason: .playersReported)))
        for client in [a, b, spectator] { #expect(client.errorCodes.isEmpty) }
        // No tick follows a match ended by a message: the admin API still says it ended.
        #expect(try eventually(5) { try ServerClosedPlayerTests.summary(server, room.roomID)["phase"] as? String == "ended" })
    }

    @Test func aRoomCreatedWithoutPoliciesDropsLateInputsAndRepeatsTheLastPayload() throws {
        let server = try TestBattleServer()
        defer { server.stop() }
        let room = try server.admin.createRoom(["tickRate": 120])
        let a = try server.client(room: room.roomID)
        let b = try server.client(room: room.roomID)
        a.hello(token: room.tokens[0])
        #expect(a.waitForMessages { $0.contains { if case .welcome = $0 { true } else { false } } })
        a.input(tick: Tick(5), slot: PlayerSlot(0), payload: [9])  // buffered while waiting
        #expect(Self.roundTrip(a, 1))
        b.hello(token: room.tokens[1])
        #expect(a.waitForFrames(20))
        let frames = a.frames
        #expect(frames[5].status(of: 0) == .onTime && Array(frames[5].payload(of: 0)) == [9])
        for frame in frames[6..<20] {
            #expect(frame.status(of: 0) == .missingFilled && Array(frame.payload(of: 0)) == [9])  // repeat-last
            #expect(frame.status(of: 1) == .missingFilled && frame.payload(of: 1).isEmpty)  // nothing to repeat
        }
        // An input for a confirmed tick is refused as late (drop), not moved (next-open-tick).
        a.input(tick: Tick(10), slot: PlayerSlot(0), payload: [7])
        #expect(a.waitForMessages { $0.contains { if case .error = $0 { true } else { false } } })
        #expect(a.errorCodes == [ProtocolErrorCode.inputLate.rawValue])
        #expect(a.closeCode == nil)
    }

    @Test func theAdminAPIAnswersWithTheDocumentedStatusesBodiesAndContentLength() throws {
        let server = try TestBattleServer()
        defer { server.stop() }
        let http = try KeepAliveHTTP(port: server.port)
        let auth = ["Authorization: Bearer \(server.adminKey)"]
        let created = try http.request("POST", "/v1/rooms", headers: auth, body: #"{"roomID":"doc-room"}"#)
        #expect(created.status == 201)
        #expect(created.header("Content-Type") == "application/json")
        #expect(created.body.hasSuffix("}\n"))
        // The same connection answers the next requests (keep-alive, framed by Content-Length).
        let duplicate = try http.request("POST", "/v1/rooms", headers: auth, body: #"{"roomID":"doc-room"}"#)
        #expect(duplicate.status == 400)
        #expect(duplicate.body == "{\"error\":\"bad request: room doc-room exists\"}\n")
        let ended = try http.request("POST", "/v1/rooms/doc-room/end", headers: auth)
        #expect(ended.status == 200)
        #expect(ended.body == "{\"phase\":\"ended\",\"roomID\":\"doc-room\"}\n")
        let again = try http.request("POST", "/v1/rooms/doc-room/end", headers: auth)
        #expect(again.status == 200 && again.body == ended.body)
        let missing = try http.request("GET", "/v1/rooms/nope", headers: auth)
        #expect(missing.status == 404 && missing.body == "{\"error\":\"not found: room nope\"}\n")
        let unauthorized = try http.request("GET", "/v1/rooms", headers: ["Authorization: Bearer wrong"])
        #expect(unauthorized.status == 401)
        #expect(unauthorized.body == "{\"error\":\"unauthorized: send Authorization: Bearer <admin key>\"}\n")
    }
}

/// One HTTP/1.1 connection kept open across requests; every answer must carry Content-Length
/// (there is no other way to know where it ends on a kept-alive connection).
final class KeepAliveHTTP {
    struct Answer {
        var status: Int
        var headers: [(String, String)]
        var body: String
        func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name.lowercased() }?.1 }
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    private let fd: Int32
    private var buffer: [UInt8] = []

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket failed") }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(fd)
            throw Failure(description: "connect failed")
        }
    }

    deinit { close(fd) }

    func request(_ method: String, _ path: String, headers: [String], body: String = "") throws -> Answer {
        var text = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        for header in headers { text += header + "\r\n" }
        text += "Content-Length: \(body.utf8.count)\r\n\r\n" + body
        let bytes = Array(text.utf8)
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard count > 0 else { throw Failure(description: "send failed") }
            sent += count
        }
        while true {
            if let answer = try takeAnswer() { return answer }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { throw Failure(description: "the connection ended before a whole answer") }
            buffer += chunk[0..<count]
        }
    }

    /// One whole answer from the front of the buffer, framed by its Content-Length.
    private func takeAnswer() throws -> Answer? {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard buffer.count >= 4, let end = (0...(buffer.count - 4)).first(where: { Array(buffer[$0..<$0 + 4]) == separator }) else { return nil }
        let lines = String(decoding: buffer[0..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let parts = lines[0].split(separator: " ")
        guard parts.count >= 2, let status = Int(parts[1]) else { throw Failure(description: "bad status line \(lines[0])") }
        let headers = lines.dropFirst().compactMap { line -> (String, String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        guard let lengthText = headers.first(where: { $0.0.lowercased() == "content-length" })?.1, let length = Int(lengthText) else {
            throw Failure(description: "an answer without Content-Length: \(lines)")
        }
        guard buffer.count >= end + 4 + length else { return nil }
        let body = String(decoding: buffer[(end + 4)..<(end + 4 + length)], as: UTF8.self)
        buffer.removeFirst(end + 4 + length)
        return Answer(status: status, headers: headers, body: body)
    }
}
