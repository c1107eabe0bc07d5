import LockstepCore
import LockstepProtocol
import LockstepTesting
import Testing

@Suite(.serialized) struct ConnectionMoveTests {
    /// HELLO and inputs arriving in the same read: the connection moves to its room's loop while
    /// frames are still buffered; those frames are delivered there, in order, exactly once.
    /// (Regression: the move used to hand the socket over while the old loop was still reading.)
    @Test func messagesBehindTheHelloInTheSameReadReachTheRoomAfterTheMove() throws {
        let server = try TestBattleServer(loops: 2)
        defer { server.stop() }
        var clients: [(TestGameClient, Int)] = []
        for round in 0..<20 {
            let room = try server.admin.createRoom(["players": 2, "tickRate": 60, "inputDelay": 4, "leadWindow": 32, "maxTicks": 40])
            for slot in 0..<2 {
                let client = try server.client(room: room.roomID)
                var messages: [[UInt8]] = []
                var writer = WireWriter()
                ClientMessageEncoder.hello(Hello(token: room.tokens[slot]), into: &writer)
                messages.append(writer.bytes)
                for tick in 0..<30 {
                    writer.clear()
                    ClientMessageEncoder.input(tick: Tick(UInt32(tick)), slot: PlayerSlot(UInt8(slot)), payload: [UInt8(round), UInt8(slot), UInt8(tick)], into: &writer)
                    messages.append(writer.bytes)
                }
                client.sendTogether(messages)
                clients.append((client, slot))
            }
        }
        for (client, _) in clients {
            #expect(client.waitForFrames(40, timeout: 15))
            let frames = client.frames
            #expect(frames.map(\.tick.rawValue) == Array(0..<40))
            // Every input sent behind the HELLO is in its tick's frame.
            for frame in frames.prefix(30) {
                for slot in 0..<2 {
                    #expect(frame.status(of: slot) == .onTime)
                    #expect(frame.payload(of: slot).last == UInt8(frame.tick.rawValue))
                }
            }
        }
    }
}
