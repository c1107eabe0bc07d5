import Testing
@testable import LockstepEventLoop

/// Prefetch hints change nothing: the memory they name reads the same afterwards, and a nil or
/// an overshooting region is harmless.
@Suite struct PrefetchTests {
    final class Box {
        var values = [UInt64](repeating: 7, count: 64)
    }

    @Test func prefetchingLeavesEveryByteAsItWas() {
        let box = Box()
        var random = XorShift(state: 21)
        for index in box.values.indices { box.values[index] = UInt64(random.next(1 << 30)) }
        let before = box.values
        Prefetch.object(box, bytes: 4096)
        box.values.withUnsafeBytes { raw in
            Prefetch.memory(raw.baseAddress, bytes: raw.count + 4096)
        }
        Prefetch.memory(nil, bytes: 64)
        #expect(box.values == before)
    }
}
