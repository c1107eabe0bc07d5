/// A process-wide limit on the outbound bytes that connections hold in user space (their
/// queues), across a set of event loops.
///
/// Each loop keeps a plain count of the bytes its connections hold (updated as they queue and
/// write, no atomic on the send path). Every `checkInterval` each loop publishes its count to
/// an atomic. When the sum is over `limitBytes`, each loop also publishes the size of its
/// largest queue, and once every loop has published since the budget was passed, each closes
/// its connections holding the most, largest first, as long as each is at least as large as
/// the largest any other loop holds. So the largest holders in the process go first, within
/// about two check intervals, and no lock is ever taken. Each closed connection's delegate
/// hears of it first (`connectionOutboundBudgetExceeded`: the server logs it), and
/// `connectionsClosed` counts it.
public final class OutboundBudget: Sendable {
    /// The most bytes all queues together may hold.
    public let limitBytes: Int
    /// How often each loop checks (50 ms).
    public let checkInterval: Duration
    /// Connections closed to stay under the budget.
    public let connectionsClosed = AtomicCounter()
    private let heldPerLoop: [AtomicCounter]
    private let largestPerLoop: [AtomicCounter]
    /// When each loop last published its largest queue (monotonic nanoseconds).
    private let largestPublishedAt: [AtomicCounter]
    /// When a loop first saw the sum over the limit (0: under it).
    private let overSince = AtomicCounter()

    /// A budget of `limitBytes` for loops `0..<loopCount` (by `EventLoop.index`).
    public init(limitBytes: Int, loopCount: Int, checkInterval: Duration = .milliseconds(50)) {
        self.limitBytes = limitBytes
        self.checkInterval = checkInterval
        heldPerLoop = (0..<max(1, loopCount)).map { _ in AtomicCounter() }
        largestPerLoop = (0..<max(1, loopCount)).map { _ in AtomicCounter() }
        largestPublishedAt = (0..<max(1, loopCount)).map { _ in AtomicCounter() }
    }

    /// The bytes held by every loop's connections at their latest checks.
    public var heldBytes: UInt64 {
        heldPerLoop.reduce(0) { $0 + $1.load }
    }

    /// Starts the periodic check on each of `loops` (from any thread).
    public func start(on loops: [EventLoop]) {
        for loop in loops where loop.index < heldPerLoop.count {
            // `unowned`, not `weak`: the loop runs these closures itself, so it outlives them, and
            // a weak reference would give the loop a side table, putting every retain and release
            // of it (one per message on the hot path) on the runtime's slow path.
            loop.execute { [unowned loop, self] in
                loop.scheduleRepeatingTimer(first: loop.now + checkInterval, interval: checkInterval) {
                    [unowned loop, self] _ in
                    check(loop)
                }
            }
        }
    }

    /// Publishes `loop`'s count and, over the budget, closes its largest holders (loop thread only).
    func check(_ loop: EventLoop) {
        let index = loop.index
        publishHeld(loop)
        guard heldBytes > UInt64(limitBytes) else {
            if overSince.load != 0 { overSince.store(0) }
            if largestPerLoop[index].load != 0 { largestPerLoop[index].store(0) }
            return
        }
        let now = max(1, loop.now.nanoseconds)
        if overSince.load == 0 { overSince.store(now) }
        var candidates = loop.outboundHeldBytes > 0 ? loop.connectionsHoldingOutbound() : []
        candidates.sort { $0.queuedBytes > $1.queuedBytes }
        publishLargest(index, candidates.first.map { UInt64($0.queuedBytes) } ?? 0, at: now)
        // Decide only on every loop's figure from after the budget was passed.
        let since = overSince.load
        guard largestPublishedAt.indices.allSatisfy({ $0 == index || largestPublishedAt[$0].load >= since }) else {
            return
        }
        var next = 0
        while next < candidates.count, heldBytes > UInt64(limitBytes) {
            let connection = candidates[next]
            // A larger holder on another loop goes first: its loop closes it at its next check.
            guard UInt64(connection.queuedBytes) >= largestOfOtherLoops(than: index) else { break }
            connectionsClosed.add()
            connection.closeForOutboundBudget()
            publishHeld(loop)
            next += 1
            publishLargest(index, next < candidates.count ? UInt64(candidates[next].queuedBytes) : 0, at: now)
        }
    }

    private func publishHeld(_ loop: EventLoop) {
        heldPerLoop[loop.index].store(UInt64(max(0, loop.outboundHeldBytes)))
    }

    private func publishLargest(_ index: Int, _ size: UInt64, at now: UInt64) {
        largestPerLoop[index].store(size)
        largestPublishedAt[index].store(now)
    }

    private func largestOfOtherLoops(than index: Int) -> UInt64 {
        var largest: UInt64 = 0
        for (other, counter) in largestPerLoop.enumerated() where other != index {
            largest = max(largest, counter.load)
        }
        return largest
    }
}
