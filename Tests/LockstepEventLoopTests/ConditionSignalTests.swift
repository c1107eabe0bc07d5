import Synchronization
import Testing
@testable import LockstepEventLoop

@Suite struct ConditionSignalTests {
    /// The shutdown pattern: work on other threads changes a count and signals; the waiter
    /// returns as soon as the condition holds, long before its deadline.
    @Test func aWaiterReturnsOnceSignalsMakeTheConditionTrue() throws {
        let group = try EventLoopGroup(count: 2)
        defer { group.shutdown() }
        let remaining = Atomic<Int>(200)
        let signal = ConditionSignal()
        for index in 0..<200 {
            group.loops[index % 2].execute {
                remaining.subtract(1, ordering: .releasing)
                signal.signal()
            }
        }
        let deadline = MonotonicInstant.now() + .seconds(30)
        let held = signal.wait(until: deadline) { remaining.load(ordering: .acquiring) == 0 }
        #expect(held)
        #expect(remaining.load(ordering: .acquiring) == 0)
        #expect(MonotonicInstant.now() < deadline)
    }

    /// A condition nobody makes true: the waiter gives up at the deadline and says so.
    @Test func aWaiterGivesUpAtTheDeadline() {
        let signal = ConditionSignal()
        let deadline = MonotonicInstant.now() + .milliseconds(30)
        #expect(!signal.wait(until: deadline) { false })
        #expect(!(MonotonicInstant.now() < deadline))
    }

    /// A condition already true returns at once, even with a deadline already past.
    @Test func aConditionAlreadyTrueReturnsWithoutWaiting() {
        let signal = ConditionSignal()
        signal.signal()
        #expect(signal.wait(until: MonotonicInstant.now()) { true })
    }

    /// Several threads waiting on one signal all wake when the condition becomes true.
    @Test func everyWaiterWakesWhenTheConditionBecomesTrue() throws {
        let waiters = try EventLoopGroup(count: 3)
        defer { waiters.shutdown() }
        let open = Atomic<Bool>(false)
        let signal = ConditionSignal()
        let woke = Collector<Bool>()
        for loop in waiters.loops {
            loop.execute {
                woke.append(signal.wait(until: MonotonicInstant.now() + .seconds(30)) { open.load(ordering: .acquiring) })
            }
        }
        open.store(true, ordering: .releasing)
        signal.signal()
        #expect(woke.wait { $0.count == 3 })
        #expect(woke.snapshot == [true, true, true])
    }
}
