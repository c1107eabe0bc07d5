import CLockstepSystem
import LockstepEventLoop
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Threads that do nothing but wake every millisecond, one pinned to each CPU, at real-time
/// priority when the system allows it: when one wakes late, its CPU was not running anything
/// that could be scheduled, and when every CPU's witness is late over the same interval, the
/// whole machine was paused (a virtual machine's vCPUs descheduled by the host). Frames delayed
/// across such an interval are the machine's tail, not the server's.
///
/// A witness wakes 1,000 times a second and works for a microsecond or two; at real-time
/// priority it preempts the server or the bots for that long.
///
/// `Sendable`: its state is immutable, atomic or behind a mutex (the stalls, the threads).
final class StallWitness: Sendable {
    /// One interval a witness was late: it should have woken at `start` and woke at `end`
    /// (monotonic nanoseconds). `cpu` is the witness's index (0 ..< `cpuCount`).
    struct Stall: Sendable, Equatable {
        var cpu: Int
        var start: UInt64
        var end: UInt64
    }

    /// Lateness from which a wake-up counts as a stall: 500 µs.
    static let thresholdNanoseconds: UInt64 = 500_000
    private static let periodNanoseconds: UInt64 = 1_000_000

    /// The CPUs watched.
    let cpuCount: Int
    /// Whether every witness got real-time priority (else they ran at normal priority, and a busy
    /// CPU can delay them too).
    var realtime: Bool { allRealtime.load(ordering: .acquiring) }
    private let allRealtime = Atomic<Bool>(true)
    private let stalls = Mutex<[Stall]>([])
    /// Wake-ups of each witness so far (by witness index): proof that each is watching.
    private let wakes: [AtomicCounter]
    private let stopping = Atomic<Bool>(false)
    private let threads = Mutex<[ThreadHandle]>([])

    /// Starts a witness on each CPU this process may run on (its affinity mask; the online CPUs
    /// if that cannot be read).
    init() {
        var allowed = [Int32](repeating: 0, count: 1024)
        let found = Int(CLockstep_allowedCPUs(&allowed, Int32(allowed.count)))
        let cpus = found > 0 ? Array(allowed[0..<found]) : (0..<Int32(max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN))))).map { $0 }
        cpuCount = cpus.count
        wakes = cpus.map { _ in AtomicCounter() }
        let realtimeCount = AtomicCounter()
        let ready = AtomicCounter()
        let readyChanged = ConditionSignal()
        var started: [ThreadHandle] = []
        for (index, cpu) in cpus.enumerated() {
            let thread = try? ThreadHandle(name: "stall-witness\(cpu)") { [self] in
                let pinned = CLockstep_pinCurrentThread(cpu) == 0
                if pinned && CLockstep_makeCurrentThreadRealtime(10) == 0 { realtimeCount.add() }
                ready.add()
                readyChanged.signal()
                watch(cpu: index)
            }
            if let thread { started.append(thread) } else { ready.add() }
        }
        let count = UInt64(cpuCount)
        readyChanged.wait(until: MonotonicInstant.now() + .seconds(10)) { ready.load >= count }
        allRealtime.store(realtimeCount.load == count && started.count == cpuCount, ordering: .releasing)
        threads.withLock { $0 = started }
    }

    private func watch(cpu: Int) {
        var next = MonotonicInstant.now().nanoseconds + Self.periodNanoseconds
        while !stopping.load(ordering: .relaxed) {
            _ = CLockstep_sleepUntil(next)
            let now = MonotonicInstant.now().nanoseconds
            wakes[cpu].add()
            if now > next, now - next >= Self.thresholdNanoseconds {
                let stall = Stall(cpu: cpu, start: next, end: now)
                stalls.withLock { $0.append(stall) }
            }
            next += Self.periodNanoseconds
            if next <= now { next = now + Self.periodNanoseconds }
        }
    }

    /// How many times the witness of CPU index `cpu` has woken (0 for an index out of range).
    func wakeCount(cpu: Int) -> UInt64 {
        wakes.indices.contains(cpu) ? wakes[cpu].load : 0
    }

    /// Stops the witnesses and returns every stall they saw.
    func stop() -> [Stall] {
        stopping.store(true, ordering: .relaxed)
        let running = threads.withLock { threads in
            defer { threads = [] }
            return threads
        }
        for thread in running { thread.join() }
        return stalls.withLock { $0 }
    }

    /// The intervals during which every one of `cpuCount` CPUs was stalled: the intersections of
    /// one stall from each CPU, merged and sorted.
    static func machineStalls(_ stalls: [Stall], cpuCount: Int) -> [ClosedRange<UInt64>] {
        guard cpuCount > 0 else { return [] }
        var byCPU = [[ClosedRange<UInt64>]](repeating: [], count: cpuCount)
        for stall in stalls where stall.cpu >= 0 && stall.cpu < cpuCount && stall.end > stall.start {
            byCPU[stall.cpu].append(stall.start...stall.end)
        }
        var common = byCPU[0].sorted { $0.lowerBound < $1.lowerBound }
        for cpu in 1..<max(1, cpuCount) {
            let other = byCPU[cpu].sorted { $0.lowerBound < $1.lowerBound }
            var result: [ClosedRange<UInt64>] = []
            var i = 0, j = 0
            while i < common.count && j < other.count {
                let low = max(common[i].lowerBound, other[j].lowerBound)
                let high = min(common[i].upperBound, other[j].upperBound)
                if low < high { result.append(low...high) }
                if common[i].upperBound < other[j].upperBound { i += 1 } else { j += 1 }
            }
            common = result
        }
        return common
    }

    /// The intervals during which at least one CPU was stalled: every stall, merged and sorted.
    static func anyStalls(_ stalls: [Stall]) -> [ClosedRange<UInt64>] {
        let sorted = stalls.filter { $0.end > $0.start }.sorted { $0.start < $1.start }
        var merged: [ClosedRange<UInt64>] = []
        for stall in sorted {
            if let last = merged.last, stall.start <= last.upperBound {
                merged[merged.count - 1] = last.lowerBound...max(last.upperBound, stall.end)
            } else {
                merged.append(stall.start...stall.end)
            }
        }
        return merged
    }

    /// Whether any of `intervals` (sorted, disjoint) overlaps `[from, to]`.
    static func crosses(_ intervals: [ClosedRange<UInt64>], from: UInt64, to: UInt64) -> Bool {
        // The first interval ending at or after `from`, by binary search.
        var low = 0, high = intervals.count
        while low < high {
            let middle = (low + high) / 2
            if intervals[middle].upperBound < from { low = middle + 1 } else { high = middle }
        }
        return low < intervals.count && intervals[low].lowerBound <= to
    }
}
