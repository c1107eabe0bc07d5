import Testing
@testable import LockstepCore

@Suite struct RollbackBufferTests {
    @Test func ringWrapsAroundKeepingTheNewestFrames() throws {
        var ring = try RollbackBuffer<Int, Int>(capacity: 8, snapshotInterval: 4)
        for tick in 0..<21 { try ring.append(tick * 10, at: Tick(UInt32(tick))) }
        #expect(ring.count == 8)
        #expect(ring.oldestTick == Tick(13) && ring.newestTick == Tick(20))
        #expect(ring.frame(at: Tick(12)) == nil)
        #expect(ring.frame(at: Tick(13)) == 130)
        #expect(ring.frame(at: Tick(20)) == 200)
        #expect(ring.frame(at: Tick(21)) == nil)
        #expect(try ring.frames(in: Tick(15)..<Tick(18)) == [150, 160, 170])
        #expect(throws: RollbackBufferError.notHeld(Tick(12))) { try ring.frames(in: Tick(12)..<Tick(14)) }
    }

    @Test func appendingOutOfOrderIsAnErrorNotATrap() throws {
        var ring = try RollbackBuffer<Int, Int>(capacity: 4, snapshotInterval: 2)
        try ring.append(0, at: .zero)
        #expect(throws: RollbackBufferError.nonContiguous(expected: Tick(1), got: Tick(3))) { try ring.append(3, at: Tick(3)) }
        #expect(throws: RollbackBufferError.snapshotOutOfOrder(Tick(0))) { try ring.storeSnapshot(0, at: .zero) }
        #expect(throws: ConfigurationError.self) { try RollbackBuffer<Int, Int>(capacity: 0, snapshotInterval: 1) }
        #expect(throws: ConfigurationError.self) { try RollbackBuffer<Int, Int>(capacity: 4, snapshotInterval: 5) }
    }

    @Test func rewindReturnsTheNearestSnapshotAtOrBeforeTheTickAndTheFramesAfterIt() throws {
        var ring = try RollbackBuffer<Int, String>(capacity: 16, snapshotInterval: 5)
        for tick in 0..<40 {
            try ring.storeSnapshot("state-\(tick)", at: Tick(UInt32(tick)))
            try ring.append(tick, at: Tick(UInt32(tick)))
        }
        let rewind = try ring.rewind(to: Tick(33))
        #expect(rewind.snapshotTick == Tick(30))
        #expect(rewind.snapshot == "state-30")
        #expect(rewind.frames == Array(30..<40))
        // Tick 24 is before the oldest frame held (24 < 40 - 16): its snapshot is useless.
        #expect(throws: RollbackBufferError.noSnapshot(before: Tick(24))) { try ring.rewind(to: Tick(24)) }
    }

    @Test func trimDropsFramesAndSnapshotsBeforeTheTick() throws {
        var ring = try RollbackBuffer<Int, Int>(capacity: 16, snapshotInterval: 4)
        for tick in 0..<10 {
            try ring.storeSnapshot(tick, at: Tick(UInt32(tick)))
            try ring.append(tick, at: Tick(UInt32(tick)))
        }
        ring.trim(before: Tick(6))
        #expect(ring.oldestTick == Tick(6) && ring.count == 4)
        #expect(ring.frame(at: Tick(5)) == nil)
        #expect(try ring.rewind(to: Tick(9)).snapshotTick == Tick(8))
        #expect(throws: RollbackBufferError.noSnapshot(before: Tick(7))) { try ring.rewind(to: Tick(7)) }
    }
}
