import Dispatch

/// A condition one thread waits for, with a deadline, while other threads change what it
/// depends on and call `signal()` after each change: shutdown's "every room has ended", "every
/// connection has closed". The waiter sleeps until a change or the deadline, never polls.
///
/// A signal sent between the waiter's check and its sleep is not lost (it is counted), so the
/// waiter wakes and checks again. For start-up and shutdown paths, not for per-tick work.
public final class ConditionSignal: Sendable {
    private let wakeups = DispatchSemaphore(value: 0)

    /// A signal nobody has sent yet.
    public init() {}

    /// Tells the waiter that something its condition reads has changed (safe from any thread).
    public func signal() {
        wakeups.signal()
    }

    /// Waits until `condition()` is true (checked now and after each `signal()`) or `deadline`
    /// passes; returns whether the condition held.
    @discardableResult
    public func wait(until deadline: MonotonicInstant, for condition: () -> Bool) -> Bool {
        while !condition() {
            let left = deadline.nanoseconds(since: .now())
            guard left > 0 else { return false }
            if wakeups.wait(timeout: .now() + .nanoseconds(Int(left))) == .timedOut { return condition() }
        }
        return true
    }
}
