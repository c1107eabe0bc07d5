import LockstepCore
import Testing

@testable import LockstepProtocol

/// Counts a peer claims never size an allocation before the bytes that would back them are there.
@Suite struct ClaimedCountTests {
    /// Found by review for issue 14: a 3-byte FRAME_BATCH claiming 65,535 frames reserved room for
    /// all of them (about 2 MiB) before reading the first; now at most what the rest can hold.
    @Test func aFrameBatchReservesNoMoreFramesThanItsBytesCanHold() {
        #expect(ServerMessage.framesToReserve(claimed: 65_535, remaining: 0) == 0)
        #expect(ServerMessage.framesToReserve(claimed: 65_535, remaining: 12) == 2)
        #expect(ServerMessage.framesToReserve(claimed: 3, remaining: 1000) == 3)
        let hostile: [UInt8] = [0x83, 0xFF, 0xFF]
        #expect(throws: ProtocolError.self) { try hostile.withUnsafeBytes { try ServerMessage.decode($0) } }
    }

    /// A frame's slot count (at most 255) is bounded the same way: 3 bytes per slot entry.
    @Test func aFrameReservesNoMoreSlotsThanItsBytesCanHold() {
        #expect(ServerMessage.slotsToReserve(claimed: 255, remaining: 2) == 0)
        #expect(ServerMessage.slotsToReserve(claimed: 255, remaining: 9) == 3)
        let hostile: [UInt8] = [0x82, 1, 0, 0, 0, 0xFF]
        #expect(throws: ProtocolError.self) { try hostile.withUnsafeBytes { try ServerMessage.decode($0) } }
    }
}
