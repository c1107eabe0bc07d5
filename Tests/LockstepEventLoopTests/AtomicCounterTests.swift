import Dispatch
import Synchronization
import Testing
@testable import LockstepEventLoop

/// The metrics counter: exact under concurrent `add`s, and exact with a sole writer using plain
/// stores while other threads read it.
@Suite struct AtomicCounterTests {
    @Test func concurrentAddsSumExactly() {
        let counter = AtomicCounter()
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            for _ in 0..<50_000 { counter.add(3) }
        }
        #expect(counter.load == 600_000)
    }

    @Test func aSoleWritersCountIsExactAndReadersNeverSeeItGoBack() {
        let counter = AtomicCounter()
        let done = Atomic<Bool>(false)
        let readerSawDecrease = Atomic<Bool>(false)
        let group = DispatchGroup()
        DispatchQueue.global().async(group: group) {
            var last: UInt64 = 0
            while !done.load(ordering: .acquiring) {
                let value = counter.load
                if value < last { readerSawDecrease.store(true, ordering: .relaxed) }
                last = value
            }
        }
        for step in 0..<200_000 { counter.addAsSoleWriter(UInt64(step % 3)) }
        done.store(true, ordering: .releasing)
        group.wait()
        #expect(counter.load == (0..<200_000).reduce(0) { $0 + UInt64($1 % 3) })
        let sawDecrease = readerSawDecrease.load(ordering: .relaxed)
        #expect(!sawDecrease)
    }
}
