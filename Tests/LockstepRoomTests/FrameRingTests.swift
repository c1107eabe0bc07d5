import CAllocationCounter
import LockstepCore
import Testing
@testable import LockstepRoom

@Suite struct FrameRingTests {
    func body(_ tick: Int, length: Int) -> [UInt8] { (0..<length).map { UInt8(truncatingIfNeeded: tick &+ $0) } }

    func held(_ ring: FrameRing, _ tick: Int) -> [UInt8]? {
        ring.withFrame(at: Tick(UInt32(tick))) { Array($0) }
    }

    @Test func holdsTheNewestCapacityFramesWithTheirExactBytes() {
        var ring = FrameRing(capacity: 10)
        for tick in 0..<25 {
            body(tick, length: 17 + tick % 21).withUnsafeBytes { ring.append($0, at: Tick(UInt32(tick))) }
        }
        #expect(ring.count == 10)
        #expect(ring.oldestTick == Tick(15))
        #expect(held(ring, 14) == nil)
        #expect(held(ring, 25) == nil)
        for tick in 15..<25 { #expect(held(ring, tick) == body(tick, length: 17 + tick % 21)) }
    }

    @Test func aLongerFrameWidensTheStrideAndKeepsTheFramesAlreadyHeld() {
        var ring = FrameRing(capacity: 8)
        for tick in 0..<6 { body(tick, length: 5).withUnsafeBytes { ring.append($0, at: Tick(UInt32(tick))) } }
        body(6, length: 300).withUnsafeBytes { ring.append($0, at: Tick(6)) }
        for tick in 0..<6 { #expect(held(ring, tick) == body(tick, length: 5)) }
        #expect(held(ring, 6) == body(6, length: 300))
        // An empty body is held as empty, not as missing.
        ring.append(UnsafeRawBufferPointer(start: nil, count: 0), at: Tick(7))
        #expect(held(ring, 7) == [])
    }

    @Test func aTickOutOfOrderIsIgnored() {
        var ring = FrameRing(capacity: 4)
        body(0, length: 5).withUnsafeBytes { ring.append($0, at: Tick(3)) }
        body(1, length: 5).withUnsafeBytes { ring.append($0, at: Tick(5)) }
        #expect(ring.count == 1)
        #expect(ring.oldestTick == Tick(3))
    }

    @Test func appendingAllocatesNothingOnceTheStrideIsSet() {
        var ring = FrameRing(capacity: 300)
        let frame = body(1, length: 37)
        frame.withUnsafeBytes { raw in
            for tick in 0..<400 { ring.append(raw, at: Tick(UInt32(tick))) }
            let before = lockstep_thread_allocations()
            for tick in 400..<10_400 { ring.append(raw, at: Tick(UInt32(tick))) }
            #expect(lockstep_thread_allocations() - before == 0)
        }
        #expect(ring.count == 300)
    }
}
