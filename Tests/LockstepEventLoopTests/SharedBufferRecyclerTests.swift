import CAllocationCounter
import Testing
@testable import LockstepEventLoop

@Suite struct SharedBufferRecyclerTests {
    /// Once every holder has let go, the next message reuses the same buffer: a room's frame
    /// every tick allocates nothing in steady state.
    @Test func aReleasedBufferIsRefilledInsteadOfAllocatingAgain() {
        var recycler = SharedBufferRecycler()
        var seen = Set<ObjectIdentifier>()
        for tick in 0..<1000 {
            let message = [UInt8](repeating: UInt8(truncatingIfNeeded: tick), count: 1 + tick % 200)
            let buffer = recycler.buffer(count: message.count) { $0.copyMemory(from: UnsafeRawBufferPointer(start: message, count: message.count)) }
            #expect(Array(buffer.bytes) == message)
            seen.insert(ObjectIdentifier(buffer))
        }
        #expect(seen.count == 1)
        // Steady state: no allocation at all.
        var total = 0
        let before = lockstep_thread_allocations()
        for tick in 0..<1000 {
            let buffer = recycler.buffer(count: 64) { $0.initializeMemory(as: UInt8.self, repeating: UInt8(truncatingIfNeeded: tick)) }
            total += buffer.count
        }
        #expect(lockstep_thread_allocations() - before == 0)
        #expect(total == 64_000)
    }

    /// A buffer still queued somewhere (a slow reader) is never overwritten: a new one is made,
    /// and the held one keeps its bytes.
    @Test func aBufferStillHeldIsNeverOverwritten() {
        var recycler = SharedBufferRecycler()
        let held = recycler.buffer(count: 3) { $0.copyBytes(from: [1, 2, 3]) }
        let next = recycler.buffer(count: 3) { $0.copyBytes(from: [4, 5, 6]) }
        #expect(held !== next)
        #expect(Array(held.bytes) == [1, 2, 3])
        #expect(Array(next.bytes) == [4, 5, 6])
        // Larger than the spare's capacity: a new, larger buffer.
        let large = recycler.buffer(count: 4096) { $0.initializeMemory(as: UInt8.self, repeating: 7) }
        #expect(large.count == 4096 && large.bytes.allSatisfy { $0 == 7 })
    }
}
