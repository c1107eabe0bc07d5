/// The timers of one loop: a binary min-heap of deadlines over a slab of timer slots.
///
/// Scheduling and firing are O(log n); cancelling is O(1) (the slot's generation is bumped and
/// its heap entry is dropped when it surfaces). Slots and heap storage are reused, so a repeating
/// timer (a room's tick) costs no allocation per firing. Confined to its loop's thread.
struct TimerHeap {
    struct Entry {
        var deadline: UInt64
        var slot: UInt32
        var generation: UInt32
    }

    struct Slot {
        var generation: UInt32 = 0
        var handler: ((TimerFiring) -> Void)?
        var deadline: UInt64 = 0
        /// Zero for one-shot timers.
        var interval: UInt64 = 0
    }

    private(set) var heap: [Entry] = []
    private var slots: [Slot] = []
    private var freeSlots: [UInt32] = []
    private(set) var liveCount = 0

    /// The earliest live deadline, dropping cancelled entries on top.
    mutating func nextDeadline() -> UInt64? {
        while let top = heap.first {
            if slots[Int(top.slot)].generation == top.generation, slots[Int(top.slot)].handler != nil {
                return top.deadline
            }
            popTop()
        }
        return nil
    }

    /// The latest live deadline at or before `limit` (at least `earliest`): where a wake-up that
    /// must not fire anything early, and may fire up to `limit`, catches the most timers.
    /// Walks only the entries at or before `limit` (the heap order prunes the rest); no allocation.
    func latestDeadline(from earliest: UInt64, notAfter limit: UInt64) -> UInt64 {
        latest(at: 0, limit: limit, best: earliest)
    }

    private func latest(at index: Int, limit: UInt64, best: UInt64) -> UInt64 {
        guard index < heap.count else { return best }
        let entry = heap[index]
        guard entry.deadline <= limit else { return best }
        var best = best
        if entry.deadline > best, slots[Int(entry.slot)].generation == entry.generation,
            slots[Int(entry.slot)].handler != nil
        {
            best = entry.deadline
        }
        best = latest(at: 2 * index + 1, limit: limit, best: best)
        return latest(at: 2 * index + 2, limit: limit, best: best)
    }

    mutating func schedule(deadline: UInt64, interval: UInt64, handler: @escaping (TimerFiring) -> Void) -> TimerHandle {
        let slotIndex: UInt32
        if let free = freeSlots.popLast() {
            slotIndex = free
        } else {
            slotIndex = UInt32(slots.count)
            slots.append(Slot())
        }
        slots[Int(slotIndex)].handler = handler
        slots[Int(slotIndex)].deadline = deadline
        slots[Int(slotIndex)].interval = interval
        liveCount += 1
        let generation = slots[Int(slotIndex)].generation
        push(Entry(deadline: deadline, slot: slotIndex, generation: generation))
        return TimerHandle(slot: slotIndex, generation: generation)
    }

    /// Cancels a timer; a handle that already fired or was cancelled is ignored.
    mutating func cancel(_ handle: TimerHandle) {
        let index = Int(handle.slot)
        guard index < slots.count, slots[index].generation == handle.generation, slots[index].handler != nil else {
            return
        }
        release(index)
        // Stale entries are dropped lazily; rebuild if they come to dominate the heap.
        if heap.count > 1024, heap.count > 4 * liveCount { compact() }
    }

    /// Whether `handle` is still scheduled.
    func isScheduled(_ handle: TimerHandle) -> Bool {
        let index = Int(handle.slot)
        return index < slots.count && slots[index].generation == handle.generation && slots[index].handler != nil
    }

    /// Pops the earliest timer due at `now`, rescheduling a repeating one on its absolute
    /// schedule, and returns its handler with the firing's details.
    mutating func popDue(now: UInt64) -> (handler: (TimerFiring) -> Void, firing: TimerFiring)? {
        guard let deadline = nextDeadline(), deadline <= now, let top = heap.first else { return nil }
        popTop()
        let index = Int(top.slot)
        guard let handler = slots[index].handler else { return nil }
        let interval = slots[index].interval
        var firing = TimerFiring(
            deadline: MonotonicInstant(nanoseconds: deadline), firedAt: MonotonicInstant(nanoseconds: now),
            missedIntervals: 0, handle: TimerHandle(slot: top.slot, generation: top.generation))
        if interval == 0 {
            release(index)
        } else {
            // Next deadline on the absolute schedule; deadlines already past are counted, not fired.
            var next = deadline &+ interval
            if next <= now {
                let missed = (now - next) / interval + 1
                firing.missedIntervals = Int(missed)
                next = next &+ missed &* interval
            }
            slots[index].deadline = next
            push(Entry(deadline: next, slot: top.slot, generation: top.generation))
        }
        return (handler, firing)
    }

    private mutating func release(_ index: Int) {
        slots[index].handler = nil
        slots[index].generation &+= 1
        freeSlots.append(UInt32(index))
        liveCount -= 1
    }

    private mutating func compact() {
        heap.removeAll { slots[Int($0.slot)].generation != $0.generation || slots[Int($0.slot)].handler == nil }
        heap.sort { $0.deadline < $1.deadline }
    }

    private mutating func push(_ entry: Entry) {
        heap.append(entry)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].deadline < heap[parent].deadline else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func popTop() {
        let last = heap.removeLast()
        guard !heap.isEmpty else { return }
        heap[0] = last
        var parent = 0
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < heap.count, heap[left].deadline < heap[smallest].deadline { smallest = left }
            if right < heap.count, heap[right].deadline < heap[smallest].deadline { smallest = right }
            if smallest == parent { return }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
    }
}

/// Identifies a scheduled timer on its loop, for `EventLoop.cancelTimer`.
public struct TimerHandle: Sendable, Hashable {
    let slot: UInt32
    let generation: UInt32
}

/// One firing of a timer: when it was due, when it ran, and how late.
public struct TimerFiring: Sendable {
    /// The scheduled deadline.
    public var deadline: MonotonicInstant
    /// When the loop ran the handler.
    public var firedAt: MonotonicInstant
    /// For a repeating timer, how many whole intervals were skipped because the loop ran late.
    public var missedIntervals: Int
    /// The timer's handle (to cancel a repeating timer from its own handler).
    public var handle: TimerHandle

    /// How late the handler ran, in nanoseconds (never negative).
    public var latenessNanoseconds: UInt64 {
        firedAt.nanoseconds > deadline.nanoseconds ? firedAt.nanoseconds - deadline.nanoseconds : 0
    }
}
