import Synchronization

/// A relaxed atomic counter as a reference, so counters can live in arrays and be shared.
///
/// Meant for metrics: one writer thread (or a few), readers anywhere, no ordering guarantees
/// between counters.
public final class AtomicCounter: Sendable {
    // Inlinable methods over a usable-from-inline atomic: a connection in another module counts
    // on every message, and a call per count would cost about what the count does.
    @usableFromInline let value = Atomic<UInt64>(0)

    /// Creates a counter at zero.
    public init() {}

    /// Adds `amount`.
    @inlinable @inline(__always)
    public func add(_ amount: UInt64 = 1) {
        value.add(amount, ordering: .relaxed)
    }

    /// Adds `amount` with a plain load and store instead of a locked read-modify-write: for a
    /// counter that only one thread ever writes (a loop's own counters). A locked instruction
    /// also waits for the thread's pending stores, which on a loop's hot path (a message, a
    /// frame) costs more than the count itself. Readers on other threads see the old or the
    /// new value; two writers would lose counts.
    @inlinable @inline(__always)
    public func addAsSoleWriter(_ amount: UInt64 = 1) {
        value.store(value.load(ordering: .relaxed) &+ amount, ordering: .relaxed)
    }

    /// Subtracts `amount` (for gauges such as open connections).
    @inlinable @inline(__always)
    public func subtract(_ amount: UInt64 = 1) {
        value.subtract(amount, ordering: .relaxed)
    }

    /// Raises the value to `candidate` if it is larger (single-writer maximum).
    @inlinable @inline(__always)
    public func raise(to candidate: UInt64) {
        if candidate > value.load(ordering: .relaxed) { value.store(candidate, ordering: .relaxed) }
    }

    /// Sets the value (single-writer gauges).
    @inlinable @inline(__always)
    public func store(_ newValue: UInt64) {
        value.store(newValue, ordering: .relaxed)
    }

    /// The current value.
    @inlinable public var load: UInt64 { value.load(ordering: .relaxed) }
}
