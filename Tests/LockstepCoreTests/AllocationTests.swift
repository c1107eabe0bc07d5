import CAllocationCounter
import Testing
@testable import LockstepCore

/// Hot paths allocate nothing in steady state: counted with the test allocator shim, per thread.
@Suite struct AllocationTests {
    @Test func submittingAndConfirmingInputsAllocatesNothingOnceWarm() throws {
        let config = try InputCollectorConfiguration(slotCount: 8, leadWindow: 16, latePolicy: .nextOpenTick, missingPolicy: .repeatLast)
        var collector = InputCollector(configuration: config)
        var frame = ConfirmedFrame(tick: .zero, reservingSlots: 8, payloadBytes: 8 * 32)
        let payload: [UInt8] = Array(repeating: 7, count: 32)
        var moved = 0
        func run(_ ticks: Int) {
            payload.withUnsafeBytes { raw in
                for _ in 0..<ticks {
                    let tick = collector.nextTick.advanced(by: 2)
                    for slot in 0..<7 {
                        _ = try? collector.submit(tick: tick, slot: PlayerSlot(UInt8(slot)), payload: raw)
                    }
                    // A late one, moved (slot 7 never sends on time, so it is always missing too).
                    if (try? collector.submit(tick: collector.nextTick.advanced(by: -1), slot: PlayerSlot(7), payload: raw)) != nil {
                        moved += 1
                    }
                    collector.confirm(into: &frame)
                }
            }
        }
        run(100)  // warm up
        let before = lockstep_thread_allocations()
        run(10_000)
        #expect(lockstep_thread_allocations() - before == 0)
        #expect(collector.counters.framesConfirmed == 10_100)
        #expect(moved >= 10_000)
    }

    @Test func rollbackBufferAppendsAndLooksUpWithoutAllocating() throws {
        var ring = try RollbackBuffer<Int, Int>(capacity: 256, snapshotInterval: 16)
        var sum = 0
        // Warm up: the first use of a generic type instantiates its metadata (a one-time allocation).
        for tick in 0..<100 {
            try ring.storeSnapshot(tick, at: Tick(UInt32(tick)))
            try ring.append(tick, at: Tick(UInt32(tick)))
            sum &+= ring.frame(at: Tick(UInt32(tick))) ?? 0
        }
        let before = lockstep_thread_allocations()
        for tick in 100..<10_000 {
            try ring.storeSnapshot(tick, at: Tick(UInt32(tick)))
            try ring.append(tick, at: Tick(UInt32(tick)))
            sum &+= ring.frame(at: Tick(UInt32(tick / 2 + 5000))) ?? 0
        }
        #expect(lockstep_thread_allocations() - before == 0)
        #expect(sum > 0)
    }
}
