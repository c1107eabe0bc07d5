import Foundation
import LockstepBattleServer
import LockstepCore
import LockstepEventLoop
import LockstepProtocol
import LockstepServer
import LockstepTesting
import Testing

/// A player the server closes has left exactly like one whose TCP connection dropped: the others
/// get EVENT disconnected, the slot is status 3 from the next tick, the counts drop, a reconnect
/// is announced as one, and a room whose players are all gone reaches its abandon timeout.
@Suite(.serialized) struct ServerClosedPlayerTests {
    /// Why the server closes the third player's connection.
    enum Cause: String, CaseIterable, Sendable {
        case fatalProtocolError, rateLimit, slowReader, idleTimeout
    }

    static func server(for cause: Cause) throws -> TestBattleServer {
        try TestBattleServer(loops: 1) { battle, network in
            switch cause {
            case .fatalProtocolError: break
            case .rateLimit:
                battle.messagesPerSecond = 100
                battle.messageBurst = 100
            case .slowReader:
                battle.playOutboundLimits = OutboundLimits(highWatermark: 8 * 1024, lowWatermark: 2 * 1024, cap: 16 * 1024)
            case .idleTimeout:
                network.pingInterval = .milliseconds(200)
                network.idleTimeout = .milliseconds(800)
            }
        }
    }

    static func isDisconnected(_ slot: Int) -> (ServerMessage) -> Bool {
        { if case .event(.disconnected(PlayerSlot(UInt8(slot))), _, _) = $0 { true } else { false } }
    }

    static func isReconnected(_ slot: Int) -> (ServerMessage) -> Bool {
        { if case .event(.reconnected(PlayerSlot(UInt8(slot))), _, _) = $0 { true } else { false } }
    }

    static func payload(_ tick: Tick) -> [UInt8]? { Array(repeating: UInt8(truncatingIfNeeded: tick.rawValue), count: 200) }

    static func summary(_ server: TestBattleServer, _ room: String) throws -> [String: Any] {
        let response = try server.admin.request("GET", "/v1/rooms/\(room)")
        return response.json ?? [:]
    }

    static func metric(_ server: TestBattleServer, _ name: String) throws -> String? {
        let text = String(decoding: try server.admin.request("GET", "/metrics").body, as: UTF8.self)
        return text.split(separator: "\n").first { $0.hasPrefix(name + " ") }.map { String($0.dropFirst(name.count + 1)) }
    }

    @Test(arguments: Cause.allCases)
    func aPlayerTheServerClosesHasLeftLikeADroppedOne(cause: Cause) throws {
        let server = try Self.server(for: cause)
        defer { server.stop() }
        let room = try server.admin.createRoom([
            "players": 3, "tickRate": 60, "inputDelay": 2, "maxTicks": 100_000, "payloadLimit": 200, "hashInterval": 0,
            "abandonTimeoutSeconds": 30,
        ])
        var players: [TestGameClient] = []
        for slot in 0..<2 {
            let client = try server.client(room: room.roomID)
            client.play(as: PlayerSlot(UInt8(slot)), inputs: Self.payload)
            client.hello(token: room.tokens[slot])
            players.append(client)
        }
        // The third player: a normal client, or (slow reader) one that never reads.
        var kicked: TestGameClient?
        var stalled: StalledReader?
        if cause == .slowReader {
            stalled = try StalledReader(port: server.port, token: room.tokens[2])
        } else {
            let client = try server.client(room: room.roomID)
            client.play(as: PlayerSlot(2), inputs: Self.payload)
            client.hello(token: room.tokens[2])
            kicked = client
        }
        let observer = players[0]
        #expect(observer.waitForFrames(30))
        #expect(try eventually(5) { try Self.summary(server, room.roomID)["connectedPlayers"] as? Int == 3 })

        switch cause {
        case .fatalProtocolError: kicked?.sendBinary([0xEE, 1, 2, 3])
        case .rateLimit: kicked?.sendTogether(Array(repeating: [0x04, 0, 0, 0, 0, 0, 0, 0, 0], count: 300))
        case .slowReader: break
        case .idleTimeout: kicked?.goQuiet()
        }
        if let kicked {
            let expected: UInt16 =
                switch cause {
                case .fatalProtocolError: 4002
                case .rateLimit: 4030
                default: 1001
                }
            #expect(kicked.waitForClose(10) == expected)
        }

        // Announced to the others, once; the slot is status 3 from that tick on.
        #expect(observer.waitForMessages(15) { $0.contains(where: Self.isDisconnected(2)) })
        let eventTick = observer.messages.compactMap { message -> Tick? in
            if case .event(.disconnected(PlayerSlot(2)), let tick, _) = message { tick } else { nil }
        }
        #expect(eventTick.count == 1)
        let from = try #require(eventTick.first)
        #expect(observer.waitForFrames(Int(from.rawValue) + 10))
        let after = observer.frames.filter { $0.tick >= from }
        #expect(!after.isEmpty)
        // Inputs accepted before the close stand (at most the input delay's lead); every other
        // slot from then on is status 3, never filled as if the player were still there.
        #expect(after.allSatisfy { $0.status(of: 2) == .disconnected || $0.status(of: 2) == .onTime })
        #expect(after.dropFirst(3).allSatisfy { $0.status(of: 2) == .disconnected })
        #expect(observer.frames.filter { $0.tick < from }.suffix(5).allSatisfy { $0.status(of: 2) != .disconnected })

        // The counts drop: the admin API and the metric.
        #expect(try eventually(5) { try Self.summary(server, room.roomID)["connectedPlayers"] as? Int == 2 })
        #expect(try Self.metric(server, "lockstep_players_connected") == "2")
        if let stalled { #expect(stalled.drainUntilClosed()) }

        // Coming back is announced as a reconnect, after the disconnect.
        let again = try server.client(room: room.roomID)
        again.hello(token: room.tokens[2], lastTick: observer.frames.last?.tick)
        #expect(observer.waitForMessages(10) { $0.contains(where: Self.isReconnected(2)) })
        #expect(try eventually(5) { try Self.summary(server, room.roomID)["connectedPlayers"] as? Int == 3 })
        let events = observer.messages.filter { Self.isDisconnected(2)($0) || Self.isReconnected(2)($0) }
        #expect(events.count == 2 && Self.isDisconnected(2)(events[0]) && Self.isReconnected(2)(events[1]))
    }

    @Test func aRoomWhosePlayersTheServerClosedIsAbandoned() throws {
        let server = try TestBattleServer(loops: 1)
        defer { server.stop() }
        let room = try server.admin.createRoom([
            "players": 2, "tickRate": 60, "inputDelay": 2, "maxTicks": 100_000, "hashInterval": 0, "abandonTimeoutSeconds": 1,
        ])
        var players: [TestGameClient] = []
        for slot in 0..<2 {
            let client = try server.client(room: room.roomID)
            client.play(as: PlayerSlot(UInt8(slot)), inputs: { _ in [1] })
            client.hello(token: room.tokens[slot])
            players.append(client)
        }
        #expect(players[0].waitForFrames(20))
        for player in players { player.sendBinary([0xEE]) }
        for player in players { #expect(player.waitForClose() == 4002) }
        #expect(try eventually(10) { try Self.summary(server, room.roomID)["phase"] as? String == "ended" })
        #expect(try Self.summary(server, room.roomID)["endReason"] as? String == "allPlayersGone")
        #expect(try Self.metric(server, "lockstep_players_connected") == "0")
    }
}
