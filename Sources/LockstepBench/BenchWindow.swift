import Synchronization

/// The measured window, set by the driving thread and read by the bots on their loops.
final class BenchWindow: Sendable {
    private let start = Atomic<UInt64>(.max)
    private let end = Atomic<UInt64>(.max)

    /// Opens the window `[start, end)` (monotonic nanoseconds).
    func set(start: UInt64, end: UInt64) {
        self.end.store(end, ordering: .relaxed)
        self.start.store(start, ordering: .relaxed)
    }

    /// The window's start (`UInt64.max` before it is set).
    var startNanoseconds: UInt64 { start.load(ordering: .relaxed) }
    /// The window's end (`UInt64.max` before it is set).
    var endNanoseconds: UInt64 { end.load(ordering: .relaxed) }

    /// Whether `now` falls inside the window.
    @inline(__always)
    func contains(_ now: UInt64) -> Bool {
        now >= start.load(ordering: .relaxed) && now < end.load(ordering: .relaxed)
    }
}
