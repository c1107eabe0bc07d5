import LockstepBattleServer
import LockstepCore
import LockstepProtocol
import LockstepReplay
import LockstepSimulation
import LockstepTesting
import Testing
import LockstepClient

/// Whole matches over real sockets on 127.0.0.1, at 120 Hz so they finish in seconds.
@Suite(.serialized) struct MatchEndToEndTests {
    static func botInputs(seed: UInt64, slot: Int) -> TestGameClient.InputSource {
        // A deterministic input per tick (independent of call order): the bot's input for that tick.
        { tick in
            var bot = ArenaBot(seed: seed &+ UInt64(tick.rawValue) &* 7919, slot: slot)
            return bot.nextInput().payload
        }
    }

    static func room(_ server: TestBattleServer, _ extra: [String: Any] = [:]) throws -> AdminClient.CreatedRoom {
        var settings: [String: Any] = ["players": 4, "tickRate": 120, "inputDelay": 3, "maxTicks": 240, "seed": 42, "hashInterval": 60]
        for (key, value) in extra { settings[key] = value }
        return try server.admin.createRoom(settings)
    }

    @Test func fourClientsPlayAWholeMatchAndAllReceiveEveryTickOnceInOrderIdentically() throws {
        let server = try TestBattleServer()
        defer { server.stop() }
        let room = try Self.room(server)
        var clients: [TestGameClient] = []
        for slot in 0..<4 {
            let client = try server.client(room: room.roomID)
            client.play(as: PlayerSlot(UInt8(slot)), inputs: Self.botInputs(seed: 42, slot: slot))
            client.hello(token: room.tokens[slot])
            clients.append(client)
        }
        for client in clients { #expect(client.waitForFrames(240, timeout: 15)) }
        for client in clients { client.waitForMessages(5) { $0.contains { if case .event(.matchEnd, _, _) = $0 { true } else { false } } } }
        let reference = clients[0].frames
        #expect(reference.map(\.tick.rawValue) == Array(0..<240))
        for client in clients { #expect(client.frames == reference) }
        // Each on-time input sits in the frame of the tick it was meant for.
        var onTime = 0
        for frame in reference {
            for slot in 0..<4 where frame.status(of: slot) == .onTime {
                #expect(Array(frame.payload(of: slot)) == Self.botInputs(seed: 42, slot: slot)(frame.tick))
                onTime += 1
            }
        }
        #expect(onTime > 240 * 4 * 9 / 10)
        // The match's replay verifies.
        for client in clients { #expect(client.waitForClose() == 1000) }
        let replay = try ReplayReader.read(try readReplayFile(server.replayDirectory + "/" + room.roomID + ".lsr"))
        #expect(replay.frameCount == 240)
        let report = try ReplayVerifier.verify(replay, using: .reference)
        #expect(report.isOK && report.checkpointsChecked >= 4)
        for index in 0..<240 { #expect(replay.frame(at: index) == reference[index]) }
    }

    @Test func aStallingClientIsFilledAndMarkedAndADisconnectedOneComesBackMissingNothing() throws {
        let server = try TestBattleServer()
        defer { server.stop() }
        let room = try Self.room(server, ["players": 2, "maxTicks": 360])
        let a = try server.client(room: room.roomID)
        a.play(as: PlayerSlot(0), inputs: Self.botInputs(seed: 1, slot: 0))
        a.hello(token: room.tokens[0])
        let b = try server.client(room: room.roomID)
        // b only sends for ticks below 60, then stalls.
        b.play(as: PlayerSlot(1)) { tick in tick.rawValue < 60 ? [1, 0, 0, 0, 0] : nil }
        b.hello(token: room.tokens[1])
        #expect(b.waitForFrames(100))
        let held = b.frames
        #expect(held.count >= 100)
        for frame in held[70..<100] { #expect(frame.status(of: 1) == .missingFilled) }
        // b drops its connection, and comes back with the last tick it holds.
        b.close()
        #expect(a.waitForMessages { $0.contains { if case .event(.disconnected(PlayerSlot(1)), _, _) = $0 { true } else { false } } })
        #expect(a.waitForFrames(200))
        let again = try server.client(room: room.roomID)
        let lastHeld = b.frames.last?.tick
        again.hello(token: room.tokens[1], lastTick: lastHeld)
        #expect(again.waitForFrames(50))
        #expect(a.waitForFrames(360, timeout: 15))
        #expect(again.waitForMessages(5) { $0.contains { if case .event(.matchEnd, _, _) = $0 { true } else { false } } })
        let combined = b.frames + again.frames
        #expect(combined.map(\.tick.rawValue) == Array(0..<360))
        #expect(combined == a.frames)
        #expect(a.frames.contains { $0.status(of: 1) == .disconnected })
    }

    @Test func aLateJoinerCatchesUpAndASpectatorSeesTheSameFrames() throws {
        let server = try TestBattleServer()
        defer { server.stop() }
        let room = try Self.room(server, ["players": 2, "maxTicks": 300, "minPlayers": 1, "startTimeoutSeconds": 1])
        let a = try server.client(room: room.roomID)
        a.play(as: PlayerSlot(0), inputs: Self.botInputs(seed: 3, slot: 0))
        a.hello(token: room.tokens[0])
        let spectator = try server.client(room: room.roomID)
        spectator.hello(token: room.spectatorToken)
        #expect(a.waitForFrames(120, timeout: 10))  // started after the 1 s timeout with one player
        // A spectator's INPUT is refused (error 25, not fatal) and never reaches a frame.
        let spectatorTick = Tick(UInt32(a.frames.count + 20))
        spectator.input(tick: spectatorTick, slot: PlayerSlot(0), payload: [0xEE, 0xEE])
        #expect(spectator.waitForMessages(5) { $0.contains { if case .error(25, false, _) = $0 { true } else { false } } })
        let late = try server.client(room: room.roomID)
        late.play(as: PlayerSlot(1), inputs: Self.botInputs(seed: 3, slot: 1))
        late.hello(token: room.tokens[1])
        #expect(late.waitForFrames(300, timeout: 15))
        #expect(a.waitForFrames(300, timeout: 5))
        #expect(spectator.waitForFrames(300, timeout: 5))
        #expect(late.frames == a.frames)
        #expect(spectator.frames == a.frames)
        #expect(a.frames.suffix(50).allSatisfy { $0.status(of: 1) != .disconnected })
        let frame = a.frames[Int(spectatorTick.rawValue)]
        #expect(frame.status(of: 0) == .onTime && Array(frame.payload(of: 0)) == Self.botInputs(seed: 3, slot: 0)(spectatorTick))
    }

    @Test func aClientReportingAWrongHashIsCaughtAtTheRightTick() throws {
        let server = try TestBattleServer()
        defer { server.stop() }
        let room = try Self.room(server, ["players": 2, "maxTicks": 360, "hashInterval": 30])
        let honest = try server.client(room: room.roomID)
        honest.play(as: PlayerSlot(0), inputs: Self.botInputs(seed: 9, slot: 0))
        honest.hello(token: room.tokens[0])
        let liar = try server.client(room: room.roomID)
        liar.play(as: PlayerSlot(1), inputs: Self.botInputs(seed: 9, slot: 1))
        liar.hello(token: room.tokens[1])
        #expect(liar.waitForFrames(150))
        // The liar reports a wrong hash for tick 119 (a checkpoint); the server re-simulates.
        var simulation = try ArenaSimulation(players: 2, seed: 42)
        for frame in liar.frames.prefix(120) { simulation.step(frame) }
        liar.stateHash(tick: Tick(119), hash: simulation.hash() ^ 0xFF)
        honest.stateHash(tick: Tick(119), hash: simulation.hash())
        #expect(honest.waitForMessages { messages in
            messages.contains { if case .event(.desync(PlayerSlot(1), Tick(119), simulation.hash(), simulation.hash() ^ 0xFF), _, _) = $0 { true } else { false } }
        })
        #expect(!honest.messages.contains { if case .event(.desync(PlayerSlot(0), _, _, _), _, _) = $0 { true } else { false } })
    }
}

@Suite(.serialized) struct CatchUpFromDiskTests {
    /// A player away longer than the in-memory buffer holds gets the older frames from the replay
    /// file on disk and the rest from memory, with no gap.
    @Test func aReconnectBeyondTheInMemoryBufferIsServedFromTheReplayOnDisk() throws {
        let server = try TestBattleServer { battle, _ in battle.replayFlushInterval = 10 }
        defer { server.stop() }
        let room = try server.admin.createRoom(["players": 2, "tickRate": 120, "inputDelay": 3, "maxTicks": 400, "rollbackTicks": 30])
        let a = try server.client(room: room.roomID)
        a.play(as: PlayerSlot(0)) { _ in [1, 0, 0, 0, 0] }
        a.hello(token: room.tokens[0])
        let b = try server.client(room: room.roomID)
        b.play(as: PlayerSlot(1)) { _ in [0, 1, 0, 0, 0] }
        b.hello(token: room.tokens[1])
        #expect(b.waitForFrames(40))
        b.close()
        #expect(b.waitForClose() != nil)
        let held = b.frames
        #expect(a.waitForFrames(held.count + 150))  // away for 150 ticks: 5× the buffer
        let back = try server.client(room: room.roomID)
        back.hello(token: room.tokens[1], lastTick: held.last?.tick)
        #expect(back.waitForFrames(100))
        #expect(a.waitForFrames(400, timeout: 15))
        #expect(back.waitForFrames(400 - held.count, timeout: 15))
        #expect((held + back.frames).map(\.tick.rawValue) == Array(0..<400))
        #expect(held + back.frames == a.frames)
    }
}
