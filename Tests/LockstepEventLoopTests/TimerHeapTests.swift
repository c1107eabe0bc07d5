import Testing
@testable import LockstepEventLoop

@Suite struct TimerHeapTests {
    @Test func popsInDeadlineOrderAndSkipsCancelled() {
        var heap = TimerHeap()
        var fired: [UInt64] = []
        var handles: [TimerHandle] = []
        for deadline: UInt64 in [50, 10, 40, 20, 30] {
            handles.append(heap.schedule(deadline: deadline, interval: 0) { fired.append($0.deadline.nanoseconds) })
        }
        heap.cancel(handles[2])
        while let (handler, firing) = heap.popDue(now: 100) { handler(firing) }
        #expect(fired == [10, 20, 30, 50])
        #expect(heap.liveCount == 0)
    }

    @Test func reusedSlotDoesNotResurrectACancelledTimer() {
        var heap = TimerHeap()
        let old = heap.schedule(deadline: 10, interval: 0) { _ in }
        heap.cancel(old)
        let new = heap.schedule(deadline: 20, interval: 0) { _ in }
        heap.cancel(old)  // stale handle: must not cancel the new timer in the same slot
        #expect(heap.isScheduled(new))
        #expect(heap.nextDeadline() == 20)
    }

    @Test func repeatingTimerCountsMissedIntervals() {
        var heap = TimerHeap()
        _ = heap.schedule(deadline: 100, interval: 10) { _ in }
        let first = heap.popDue(now: 135)
        #expect(first?.firing.missedIntervals == 3)
        #expect(heap.nextDeadline() == 140)
    }
}
