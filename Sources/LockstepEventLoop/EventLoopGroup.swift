#if canImport(Glibc)
import Glibc
#endif

import Synchronization

/// A fixed set of event loops, one thread each: one per core by default.
public final class EventLoopGroup: Sendable {
    /// The loops, indexed by `EventLoop.index`.
    public let loops: [EventLoop]
    private let nextIndex = Atomic<Int>(0)

    /// Creates and starts `count` loops (at least one).
    ///
    /// - Parameters:
    ///   - count: the number of loops; `nil` means one per online core.
    ///   - wakeups: how each loop groups its wake-ups (default: none grouped).
    public init(count: Int? = nil, wakeups: WakeupPolicy = .immediate) throws(SystemError) {
        let wanted = max(1, count ?? EventLoopGroup.coreCount)
        var loops: [EventLoop] = []
        for index in 0..<wanted {
            let loop = try EventLoop(index: index, wakeups: wakeups)
            try loop.start()
            loops.append(loop)
        }
        self.loops = loops
    }

    /// The number of online processors.
    public static var coreCount: Int {
        max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    }

    /// The next loop in round-robin order (thread-safe): how new connections are spread.
    public func next() -> EventLoop {
        let index = nextIndex.add(1, ordering: .relaxed).oldValue
        return loops[index % loops.count]
    }

    /// Stops every loop and joins its thread. Registrations still open are closed by their loops.
    public func shutdown() {
        for loop in loops { loop.stop() }
        for loop in loops { loop.join() }
    }
}
