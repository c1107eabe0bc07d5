import LockstepCore
import LockstepEventLoop
import LockstepRoom
import Synchronization

/// The battle server's counters and histograms, updated from any loop without locks (atomics).
final class BattleMetrics: Sendable {
    let authFailures = Atomic<UInt64>(0)
    let roomsCreated = Atomic<UInt64>(0)
    let rateLimited = Atomic<UInt64>(0)
    /// Replays that could not be created or stopped being written (a full disk).
    let replayFailures = Atomic<UInt64>(0)
    /// Timer lateness at tick firings, in µs buckets.
    let timerLateness = AtomicHistogram(boundsMicros: [10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 50_000])
    /// Work per tick firing (confirm, encode, queue), in µs buckets.
    let tickWork = AtomicHistogram(boundsMicros: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 5000])

    func recordTimerLateness(_ nanos: UInt64) { timerLateness.record(nanos) }
    func recordTickWork(_ nanos: Int64) { tickWork.record(UInt64(max(0, nanos))) }
}

/// A fixed-bucket histogram of nanosecond values with atomic counters, in Prometheus form.
final class AtomicHistogram: Sendable {
    let boundsMicros: [UInt64]
    private let counts: [AtomicCounter]
    private let sumNanos = AtomicCounter()

    init(boundsMicros: [UInt64]) {
        self.boundsMicros = boundsMicros
        counts = (0...boundsMicros.count).map { _ in AtomicCounter() }
    }

    func record(_ nanos: UInt64) {
        var index = 0
        while index < boundsMicros.count && nanos > boundsMicros[index] * 1000 { index += 1 }
        counts[index].add()
        sumNanos.add(nanos)
    }

    /// The histogram as Prometheus text, in seconds.
    func prometheus(name: String, help: String) -> String {
        var out = "# HELP \(name) \(help)\n# TYPE \(name) histogram\n"
        var cumulative: UInt64 = 0
        for (index, bound) in boundsMicros.enumerated() {
            cumulative += counts[index].load
            out += "\(name)_bucket{le=\"\(Double(bound) / 1e6)\"} \(cumulative)\n"
        }
        cumulative += counts[boundsMicros.count].load
        out += "\(name)_bucket{le=\"+Inf\"} \(cumulative)\n"
        out += "\(name)_sum \(Double(sumNanos.load) / 1e9)\n"
        out += "\(name)_count \(cumulative)\n"
        return out
    }
}
