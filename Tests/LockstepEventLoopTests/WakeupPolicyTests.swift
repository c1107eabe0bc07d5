#if canImport(Glibc)
import Glibc
#endif
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

    /// Reads a socket when told, and notes the order of events with the timers' in `log`.
    final class LoggingReader: EventLoopSelectable, @unchecked Sendable {
        let name: String
        let fd: Int32
        let log: Collector<String>
        init(name: String, fd: Int32, log: Collector<String>) {
            self.name = name
            self.fd = fd
            self.log = log
        }
        func handleEvents(_ events: UInt32) {
            var byte: UInt8 = 0
            while Glibc.read(fd, &byte, 1) == 1 {}
            log.append(name)
        }
        func eventLoopDidStop() {}
    }

    @Test func aBatchedWakeUpRunsItsTimersBeforeItsEventsExceptThoseATimerTakes() throws {
        let group = try EventLoopGroup(count: 1, wakeups: WakeupPolicy(batchWindowNanoseconds: 10_000_000_000))
        defer { group.shutdown() }
        let loop = group.loops[0]
        var own: [Int32] = [0, 0]
        var other: [Int32] = [0, 0]
        #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0, &own) == 0)
        #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0, &other) == 0)
        defer { for fd in own + other { Glibc.close(fd) } }
        let log = Collector<String>()
        let ownReader = LoggingReader(name: "own input", fd: own[0], log: log)
        let otherReader = LoggingReader(name: "other input", fd: other[0], log: log)
        let (ownFD, otherFD) = (own[0], other[0])
        let deferredSeen = Collector<Bool>()
        let deadline = MonotonicInstant.now() + .milliseconds(200)
        let scheduled = onLoop(loop) {
            do {
                try loop.register(fd: ownFD, interest: .read, ownReader)
                try loop.register(fd: otherFD, interest: .read, otherReader)
            } catch {
                return false
            }
            _ = loop.scheduleTimer(at: deadline) { _ in
                deferredSeen.append(loop.hasDeferredEvents)
                loop.handleDeferredEvents(fd: ownFD)
                loop.handleDeferredEvents(fd: ownFD)  // taken already: nothing happens
                log.append("timer")
            }
            return true
        }
        #expect(scheduled == true)
        // Both sockets become readable while the loop sleeps through the window.
        var byte: UInt8 = 1
        #expect(Glibc.write(other[1], &byte, 1) == 1)
        #expect(Glibc.write(own[1], &byte, 1) == 1)
        #expect(log.wait { $0.count == 3 })
        #expect(log.snapshot == ["own input", "timer", "other input"])
        #expect(deferredSeen.snapshot == [true])
        // Later turns are not batched (no timer is due): input is handled as it comes.
        #expect(Glibc.write(own[1], &byte, 1) == 1)
        #expect(log.wait { $0.count == 4 })
        #expect(onLoop(loop) { loop.hasDeferredEvents } == false)
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
