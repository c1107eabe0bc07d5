import Testing
@testable import LockstepEventLoop

@Suite struct WakeupPolicyTests {
    /// What a handler saw: its deadline and the loop's wake-up count when it ran.
    struct Seen: Sendable {
        var deadline: UInt64
        var firedAt: UInt64
        var wakeup: UInt64
    }

    /// Schedules one-shot timers at 50 ms + each offset (µs) on a fresh loop with `wakeups` and
    /// returns what each saw when it fired.
    func fire(offsetsMicroseconds: [Int], wakeups: WakeupPolicy) throws -> [Seen] {
        let group = try EventLoopGroup(count: 1, wakeups: wakeups)
        defer { group.shutdown() }
        let loop = group.loops[0]
        let seen = Collector<Seen>()
        let base = MonotonicInstant.now() + .milliseconds(50)
        loop.execute {
            for offset in offsetsMicroseconds {
                _ = loop.scheduleTimer(at: base + .microseconds(offset)) { firing in
                    seen.append(Seen(deadline: firing.deadline.nanoseconds, firedAt: firing.firedAt.nanoseconds,
                                     wakeup: loop.metrics.iterations.load))
                }
            }
        }
        #expect(seen.wait { $0.count == offsetsMicroseconds.count })
        return seen.snapshot
    }

    @Test func timersDueWithinTheTickWindowFireInOneWakeUpAndNoneEarly() throws {
        // Eight timers 200 µs apart (1.4 ms in all): one window of 2 ms.
        let firings = try fire(offsetsMicroseconds: (0..<8).map { $0 * 200 },
                               wakeups: WakeupPolicy(tickWindowNanoseconds: 2_000_000))
        #expect(Set(firings.map(\.wakeup)).count == 1)
        for firing in firings { #expect(firing.firedAt >= firing.deadline) }
    }

    @Test func withoutATickWindowTimersApartFireInTheirOwnWakeUps() throws {
        let firings = try fire(offsetsMicroseconds: [0, 20_000, 40_000], wakeups: .immediate)
        #expect(Set(firings.map(\.wakeup)).count == 3)
    }

    @Test func aTaskArrivingWithinTheBatchWindowWaitsForTheTimersWakeUp() throws {
        // A batch window far wider than the timer's distance: the loop sleeps through the gap.
        let group = try EventLoopGroup(count: 1, wakeups: WakeupPolicy(batchWindowNanoseconds: 10_000_000_000))
        defer { group.shutdown() }
        let loop = group.loops[0]
        let timer = Collector<Seen>()
        let task = Collector<Seen>()
        let deadline = MonotonicInstant.now() + .milliseconds(200)
        let scheduled = onLoop(loop) {
            _ = loop.scheduleTimer(at: deadline) { firing in
                timer.append(Seen(deadline: firing.deadline.nanoseconds, firedAt: firing.firedAt.nanoseconds,
                                  wakeup: loop.metrics.iterations.load))
            }
            return true
        }
        #expect(scheduled == true)
        loop.execute {
            task.append(Seen(deadline: 0, firedAt: MonotonicInstant.now().nanoseconds, wakeup: loop.metrics.iterations.load))
        }
        #expect(task.wait { !$0.isEmpty })
        #expect(timer.wait { !$0.isEmpty })
        let timerSeen = try #require(timer.snapshot.first)
        let taskSeen = try #require(task.snapshot.first)
        #expect(taskSeen.wakeup == timerSeen.wakeup)
        #expect(taskSeen.firedAt >= deadline.nanoseconds)
    }

    @Test func theLatestDeadlineWithinAWindowSkipsCancelledAndLaterTimers() {
        var heap = TimerHeap()
        let handles = [100, 150, 180, 260, 400].map { deadline in
            heap.schedule(deadline: UInt64(deadline), interval: 0) { _ in }
        }
        heap.cancel(handles[2])
        #expect(heap.latestDeadline(from: 100, notAfter: 200) == 150)
        #expect(heap.latestDeadline(from: 100, notAfter: 300) == 260)
        #expect(heap.latestDeadline(from: 100, notAfter: 120) == 100)
    }
}
