import LockstepBattleServer
import LockstepCore
import LockstepProtocol
import LockstepTesting
import Testing

/// Observers of the battle server are told each room's life and the server's counts.
@Suite(.serialized) struct BattleObserverTests {
    @Test func observersAreToldEachRoomsCreationPlayersStartAndEndWithCounts() throws {
        let server = try TestBattleServer()
        defer { server.stop() }
        let observer = RecordingBattleObserver()
        server.server.addObserver(observer)
        let room = try server.admin.createRoom([
            "players": 2, "tickRate": 120, "maxTicks": 100_000, "playerIDs": ["ann", "bob"],
        ])
        var clients: [TestGameClient] = []
        for slot in 0..<2 {
            let client = try server.client(room: room.roomID)
            client.play(as: PlayerSlot(UInt8(slot))) { _ in [0, 0, 0, 0, 1] }
            client.hello(token: room.tokens[slot])
            // One at a time, so the connections are told in slot order.
            #expect(
                client.waitForMessages { messages in messages.contains { if case .welcome = $0 { true } else { false } }
                })
            clients.append(client)
        }
        #expect(clients[0].waitForFrames(30))
        #expect(server.server.counts == BattleCounts(rooms: 1, players: 2, maxRooms: 1000))
        clients[1].close()
        #expect(eventually(5) { observer.changes(of: room.roomID).contains(.playerDisconnected(playerID: "bob")) })
        #expect(try server.admin.request("POST", "/v1/rooms/\(room.roomID)/end").status == 200)
        #expect(eventually(5) { observer.changes(of: room.roomID).last == .ended(.adminEnded) })
        #expect(
            observer.changes(of: room.roomID) == [
                .created(playerIDs: ["ann", "bob"]), .playerConnected(playerID: "ann"),
                .playerConnected(playerID: "bob"), .started,
                .playerDisconnected(playerID: "bob"), .playerDisconnected(playerID: "ann"), .ended(.adminEnded),
            ])
        let counts = observer.roomChanges.filter { $0.roomID == room.roomID }.map {
            [$0.counts.rooms, $0.counts.players]
        }
        #expect(counts == [[1, 0], [1, 1], [1, 2], [1, 2], [1, 1], [1, 0], [0, 0]])
        #expect(server.server.counts == BattleCounts(rooms: 0, players: 0, maxRooms: 1000))
        #expect(observer.states.isEmpty)
    }

    @Test func aRoomThatNeverStartsIsToldCreatedThenEndedWithItsReason() throws {
        let server = try TestBattleServer()
        defer { server.stop() }
        let observer = RecordingBattleObserver()
        server.server.addObserver(observer)
        let room = try server.admin.createRoom(["players": 2, "startTimeoutSeconds": 1])
        #expect(eventually(5) { observer.changes(of: room.roomID).count == 2 })
        #expect(
            observer.changes(of: room.roomID) == [
                .created(playerIDs: ["player-0", "player-1"]), .ended(.startTimeout),
            ])
    }

    @Test func aRefusedCreationCountsNoRoom() throws {
        let server = try TestBattleServer()
        defer { server.stop() }
        let observer = RecordingBattleObserver()
        server.server.addObserver(observer)
        #expect(try server.admin.request("POST", "/v1/rooms", body: Array(#"{"players": 0}"#.utf8)).status == 400)
        #expect(server.server.counts.rooms == 0)
        #expect(observer.roomChanges.isEmpty)
    }
}
