import LockstepCore
import LockstepProtocol
import LockstepTesting
import Testing

@Suite struct DuplicateInputTests {
    /// Under `next-open-tick`, an input re-sent for a tick already confirmed is refused as a
    /// duplicate (error 23, not fatal) and never applied again at a later tick (it was moved).
    @Test func anInputResentAfterItsTickWasConfirmedIsADuplicateAndNeverAppliedTwice() throws {
        let server = try TestBattleServer()
        defer { server.stop() }
        let room = try server.admin.createRoom(["players": 2, "tickRate": 60, "maxTicks": 600, "latePolicy": "next-open-tick"])
        let a = try server.client(room: room.roomID)
        a.play(as: PlayerSlot(0)) { _ in [1] }
        a.hello(token: room.tokens[0])
        let b = try server.client(room: room.roomID)
        b.hello(token: room.tokens[1])
        #expect(b.waitForFrames(10))
        let tick = Tick(UInt32(b.frames.count + 10))
        b.input(tick: tick, slot: PlayerSlot(1), payload: [7])
        #expect(b.waitForFrames(Int(tick.rawValue) + 1))
        let confirmed = b.frames[Int(tick.rawValue)]
        #expect(confirmed.status(of: 1) == .onTime && Array(confirmed.payload(of: 1)) == [7])
        b.input(tick: tick, slot: PlayerSlot(1), payload: [7])
        #expect(b.waitForMessages(5) { $0.contains { if case .error(23, false, _) = $0 { true } else { false } } })
        let after = b.frames.count
        #expect(b.waitForFrames(after + 30))
        #expect(b.frames.dropFirst(Int(tick.rawValue) + 1).allSatisfy { $0.status(of: 1) != .lateMoved })
        #expect(b.closeCode == nil)
    }
}
