import LockstepBattleServer
import LockstepCore
import LockstepProtocol
import LockstepTesting
import Testing

/// Hostile clients get their documented error and close code, with a log line, while a room next
/// door keeps its tick schedule.
@Suite(.serialized) struct BadInputTests {
    /// A healthy two-player room playing by itself for the whole test.
    final class Neighbour {
        let a: TestGameClient
        let b: TestGameClient
        init(_ server: TestBattleServer) throws {
            let room = try server.admin.createRoom(["players": 2, "tickRate": 120, "inputDelay": 3, "maxTicks": 100_000])
            a = try server.client(room: room.roomID)
            b = try server.client(room: room.roomID)
            a.play(as: PlayerSlot(0)) { _ in [1, 0, 0, 0, 0] }
            b.play(as: PlayerSlot(1)) { _ in [0, 1, 0, 0, 0] }
            a.hello(token: room.tokens[0])
            b.hello(token: room.tokens[1])
        }

        /// Ticks kept coming, every one once and in order, and the players' inputs kept landing on
        /// time (at least 80 %: a loaded 2-core test machine delays the clients' threads now and
        /// then, never the schedule; a server disturbed by the hostile peers misses far more).
        func checkSchedule(atLeast ticks: Int) {
            #expect(a.waitForFrames(ticks, timeout: 10))
            let frames = a.frames
            #expect(frames.map(\.tick.rawValue) == Array(0..<UInt32(frames.count)))
            let onTime = frames.dropFirst(8).filter { $0.status(of: 0) == .onTime && $0.status(of: 1) == .onTime }.count
            #expect(onTime * 100 >= (frames.count - 8) * 80)
        }
    }

    static func refused(_ server: TestBattleServer, room: String?, token: String) throws -> TestGameClient {
        let client = try server.client(room: room)
        client.hello(token: token)
        client.waitForClose()
        return client
    }

    @Test func forgedExpiredAndWrongRoomTokensAreRefusedWithTheirCodes() throws {
        let server = try TestBattleServer()
        defer { server.stop() }
        let neighbour = try Neighbour(server)
        let room = try server.admin.createRoom(["players": 2, "tickRate": 120])
        let other = try server.admin.createRoom(["players": 2, "tickRate": 120])
        let forger = TokenSigner(secret: Array("not-the-secret".utf8))
        let forged = forger.mint(JoinToken(roomID: room.roomID, playerID: "x", role: .player(PlayerSlot(0)), expiresAt: TokenSigner.unixNow() + 60))
        let expired = server.server.mintToken(JoinToken(roomID: room.roomID, playerID: "x", role: .player(PlayerSlot(0)), expiresAt: 1000))
        let cases: [(String?, String, ProtocolErrorCode)] = [
            (room.roomID, forged, .invalidToken),
            (room.roomID, "garbage", .invalidToken),
            (room.roomID, expired, .tokenExpired),
            (other.roomID, room.tokens[0], .wrongRoom),
            (nil, server.server.mintToken(JoinToken(roomID: "nope", playerID: "x", role: .spectator, expiresAt: TokenSigner.unixNow() + 60)), .roomNotFound),
        ]
        for (roomParameter, token, code) in cases {
            let client = try Self.refused(server, room: roomParameter, token: token)
            #expect(client.errorCodes == [code.rawValue], "\(code)")
            #expect(client.closeCode == code.closeCode, "\(code)")
        }
        #expect(server.logLines.all.filter { $0.contains("event=auth_failed") }.count == cases.count)
        neighbour.checkSchedule(atLeast: 240)
    }

    @Test func badInputsGetNonFatalErrorsAndBadMessagesFatalOnes() throws {
        let server = try TestBattleServer()
        defer { server.stop() }
        let neighbour = try Neighbour(server)
        let room = try server.admin.createRoom(["players": 2, "tickRate": 120, "inputDelay": 3, "leadWindow": 16])
        let player = try server.client(room: room.roomID)
        player.hello(token: room.tokens[0])
        #expect(player.waitForMessages { $0.contains { if case .welcome = $0 { true } else { false } } })
        player.input(tick: Tick(5), slot: PlayerSlot(1), payload: [])  // another slot
        player.input(tick: Tick(10_000), slot: PlayerSlot(0), payload: [])  // beyond the lead window
        player.input(tick: Tick(5), slot: PlayerSlot(0), payload: Array(repeating: 7, count: 33))  // over 32 bytes
        #expect(player.waitForMessages { $0.filter { if case .error = $0 { true } else { false } }.count == 3 })
        #expect(player.errorCodes == [20, 21, 24])
        #expect(player.closeCode == nil)
        // An unknown message type is fatal: error 2, close 4002.
        player.sendBinary([0x42, 1, 2, 3])
        #expect(player.waitForClose() == ProtocolErrorCode.unknownMessageType.closeCode)
        #expect(player.errorCodes.last == ProtocolErrorCode.unknownMessageType.rawValue)
        // A message before HELLO, and a text message: refused.
        let early = try server.client(room: room.roomID)
        early.input(tick: Tick(1), slot: PlayerSlot(0), payload: [])
        #expect(early.waitForClose() == ProtocolErrorCode.notJoined.closeCode)
        let texter = try server.client(room: room.roomID)
        texter.sendText("hello?")
        #expect(texter.waitForClose() == ProtocolErrorCode.malformedMessage.closeCode)
        // A truncated HELLO is malformed.
        let truncated = try server.client(room: room.roomID)
        truncated.sendBinary([0x01, 0x01])
        #expect(truncated.waitForClose() == ProtocolErrorCode.malformedMessage.closeCode)
        neighbour.checkSchedule(atLeast: 240)
    }

    @Test func aMessageFloodIsCutOffAtTheRateLimit() throws {
        let server = try TestBattleServer { battle, _ in
            battle.messagesPerSecond = 200
            battle.messageBurst = 50
        }
        defer { server.stop() }
        let neighbour = try Neighbour(server)
        let room = try server.admin.createRoom(["players": 2, "tickRate": 120])
        let flooder = try server.client(room: room.roomID)
        flooder.hello(token: room.tokens[0])
        for index in 0..<2000 { flooder.stateHash(tick: Tick(UInt32(index)), hash: 0) }
        #expect(flooder.waitForClose() == ProtocolErrorCode.rateLimited.closeCode)
        #expect(flooder.errorCodes.last == ProtocolErrorCode.rateLimited.rawValue)
        #expect(server.logLines.all.contains { $0.contains("event=rate_limited") })
        neighbour.checkSchedule(atLeast: 240)
    }

    @Test func theAdminAPIRefusesAWrongKeyAndBadBodies() throws {
        let server = try TestBattleServer()
        defer { server.stop() }
        var wrong = server.admin
        wrong.adminKey = "nope"
        #expect(try wrong.request("POST", "/v1/rooms", body: Array("{}".utf8)).status == 401)
        #expect(try server.admin.request("POST", "/v1/rooms", body: Array("{not json".utf8)).status == 400)
        #expect(try server.admin.request("POST", "/v1/rooms", body: Array("{\"players\": 9}".utf8)).status == 400)
        #expect(try server.admin.request("POST", "/v1/rooms", body: Array("{\"tickRate\": 500}".utf8)).status == 400)
        #expect(try server.admin.request("POST", "/v1/rooms", body: Array("{\"bogus\": 1}".utf8)).status == 400)
        #expect(try server.admin.request("GET", "/v1/rooms/none").status == 404)
        let room = try server.admin.createRoom(["players": 3])
        let read = try server.admin.request("GET", "/v1/rooms/\(room.roomID)")
        #expect(read.status == 200 && read.json?["phase"] as? String == "waiting")
        #expect(try server.admin.request("POST", "/v1/rooms/\(room.roomID)/end").status == 200)
        let metrics = String(decoding: try server.admin.request("GET", "/metrics").body, as: UTF8.self)
        #expect(metrics.contains("lockstep_rooms{state=\"ended\"} 1"))
        #expect(metrics.contains("lockstep_auth_failures_total 1"))
        #expect(metrics.contains("lockstep_tick_work_seconds_bucket"))
    }
}

@Suite(.serialized) struct AdminOverflowTests {
    @Test func hugeDurationsAndNumbersAreRefusedNotTrapped() throws {
        let server = try TestBattleServer()
        defer { server.stop() }
        for body in [#"{"maxDurationSeconds": 9223372036854775807}"#, #"{"maxTicks": 1e300}"#, #"{"seed": -1}"#, #"{"players": "two"}"#, #"{"rollbackTicks": 0}"#] {
            #expect(try server.admin.request("POST", "/v1/rooms", body: Array(body.utf8)).status == 400, "\(body)")
        }
        #expect(try server.admin.request("GET", "/healthz").status == 200)
    }

    /// Before its HELLO a play connection gets 4 KiB: pings count against it (and against the
    /// message rate), so a ping flood ends with error 30 and close 4030 instead of pongs queued
    /// for a peer that never reads them.
    @Test func pingsBeforeHelloCountAgainstThePreHelloBudget() throws {
        let server = try TestBattleServer()
        defer { server.stop() }
        let probe = try WebSocketProbe(port: server.port, path: "/v1/play", subprotocol: "lockstep.v1")
        for _ in 0..<64 { probe.send(.ping, payload: [UInt8](repeating: 0x70, count: 125)) }
        let frames = probe.readUntilClose()
        let pongs = frames.filter { $0.opcode == .pong }.count
        #expect(pongs <= 4096 / 125)
        let errors = frames.filter { $0.opcode == .binary }.compactMap { frame -> UInt16? in
            let message = frame.payload.withUnsafeBytes { try? ServerMessage.decode($0) }
            guard case .error(let code, _, _) = message else { return nil }
            return code
        }
        #expect(errors == [ProtocolErrorCode.rateLimited.rawValue])
        let close = try #require(frames.last)
        #expect(close.opcode == .connectionClose && Array(close.payload.prefix(2)) == [0x0F, 0xBE])  // 4030
        #expect(server.logLines.all.contains { $0.contains("event=rate_limited") && $0.contains("pre-HELLO") })
    }

    /// A frame larger than the whole pre-HELLO budget is refused from its header (1009), before
    /// the server buffers its payload.
    @Test func aFrameLargerThanThePreHelloBudgetIsRefusedWith1009() throws {
        let server = try TestBattleServer()
        defer { server.stop() }
        let probe = try WebSocketProbe(port: server.port, path: "/v1/play", subprotocol: "lockstep.v1")
        probe.send(.binary, payload: [UInt8](repeating: 1, count: 4097))
        let close = try #require(probe.readUntilClose().last)
        #expect(close.opcode == .connectionClose && Array(close.payload.prefix(2)) == [0x03, 0xF1])  // 1009
    }
}
