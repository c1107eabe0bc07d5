import Synchronization
import Testing
@testable import LockstepEventLoop

@Suite struct EventLoopTests {
    @Test func executeFromAnotherThreadRunsOnTheLoopThreadInOrder() throws {
        let group = try EventLoopGroup(count: 1)
        defer { group.shutdown() }
        let loop = group.loops[0]
        let seen = Collector<(Int, Bool)>()
        for index in 0..<1000 {
            loop.execute { seen.append((index, loop.inEventLoop)) }
        }
        #expect(seen.wait { $0.count == 1000 })
        #expect(seen.snapshot.map(\.0) == Array(0..<1000))
        #expect(seen.snapshot.allSatisfy { $0.1 })
        #expect(!loop.inEventLoop)
    }

    @Test func timersFireInDeadlineOrderAndCancelledOnesNever() throws {
        let group = try EventLoopGroup(count: 1)
        defer { group.shutdown() }
        let loop = group.loops[0]
        let fired = Collector<Int>()
        loop.execute {
            let base = MonotonicInstant.now() + .milliseconds(5)
            var handles: [TimerHandle] = []
            // Five thousand timers on one loop, scheduled in a scrambled order.
            for step in 0..<5000 {
                let order = (step * 7919) % 5000
                handles.append(loop.scheduleTimer(at: base + .microseconds(order * 2)) { _ in fired.append(order) })
            }
            for (step, handle) in handles.enumerated() where ((step * 7919) % 5000) % 10 == 3 {
                loop.cancelTimer(handle)
            }
        }
        #expect(fired.wait { $0.count == 4500 })
        let orders = fired.snapshot
        #expect(orders == orders.sorted())
        #expect(!orders.contains { $0 % 10 == 3 })
        #expect(loop.metrics.timerFirings.load >= 4500)
    }

    @Test func repeatingTimerKeepsItsAbsoluteScheduleAndRecordsLateness() throws {
        let group = try EventLoopGroup(count: 1)
        defer { group.shutdown() }
        let loop = group.loops[0]
        let firings = Collector<TimerFiring>()
        let first = MonotonicInstant.now() + .milliseconds(2)
        loop.execute {
            loop.scheduleRepeatingTimer(first: first, interval: .milliseconds(1)) { firing in
                firings.append(firing)
                if firings.snapshot.count == 20 { loop.cancelTimer(firing.handle) }
            }
        }
        #expect(firings.wait { $0.count >= 20 })
        var expected = first.nanoseconds
        for firing in firings.snapshot.prefix(20) {
            // Deadlines sit on first + n × interval even when a firing ran late.
            #expect(firing.deadline.nanoseconds == expected)
            #expect(firing.firedAt >= firing.deadline)
            expected = firing.deadline.nanoseconds + UInt64(firing.missedIntervals + 1) * 1_000_000
        }
        let lateness = loop.metrics.timerLateness.snapshot()
        #expect(lateness.count == loop.metrics.timerFirings.load)
        #expect(lateness.count >= 20)
    }

    @Test func stopJoinsTheThreadAndDropsLaterTasks() throws {
        let loop = try EventLoop(index: 7)
        try loop.start()
        loop.stop()
        loop.join()
        let ran = Collector<Bool>()
        loop.execute { ran.append(true) }
        #expect(ran.snapshot.isEmpty)
    }
}
