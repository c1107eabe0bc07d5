import Dispatch
import Synchronization

/// A condition threads wait for, with a deadline, while other threads change what it depends
/// on and call `signal()` after each change: shutdown's "every room has ended", "every
/// connection has closed", a test client's "the frame arrived". Waiters sleep until a change or
/// the deadline; nobody polls.
///
/// Every waiter wakes at each signal and checks its condition again; a change made between a
/// waiter's check and its sleep still wakes it (a waiter counts itself in before it checks).
/// `signal()` with nobody waiting is one atomic load. For start-up, shutdown and tests, not for
/// per-tick work.
public final class ConditionSignal: Sendable {
    private let wakeups = DispatchSemaphore(value: 0)
    private let waiters = Atomic<Int>(0)

    /// A signal nobody waits on yet.
    public init() {}

    /// Tells the waiters that something their conditions read has changed (safe from any thread).
    public func signal() {
        let count = waiters.load(ordering: .sequentiallyConsistent)
        for _ in 0..<count { wakeups.signal() }
    }

    /// Waits until `condition()` is true (checked now and after each `signal()`) or `deadline`
    /// passes; returns whether the condition held.
    @discardableResult
    public func wait(until deadline: MonotonicInstant, for condition: () -> Bool) -> Bool {
        waiters.add(1, ordering: .sequentiallyConsistent)
        defer { waiters.subtract(1, ordering: .sequentiallyConsistent) }
        while !condition() {
            let left = deadline.nanoseconds(since: .now())
            guard left > 0 else { return false }
            if wakeups.wait(timeout: .now() + .nanoseconds(Int(left))) == .timedOut { return condition() }
        }
        return true
    }
}
