/// Which ticks a fixed-capacity ring keyed by tick holds: the newest `capacity` of a contiguous
/// run, each in slot `tick % capacity`. The bookkeeping shared by `RollbackBuffer` (frames and
/// snapshots of any type) and the room's `FrameRing` (encoded bodies in one contiguous buffer):
/// each keeps its own storage and asks the window where a tick goes and whether it is held.
public struct TickWindow: Sendable, Equatable {
    /// How many ticks are held at most (at least 1).
    public let capacity: Int
    /// The oldest tick held, or `nil` when empty.
    public private(set) var oldestTick: Tick?
    /// The tick the next `append` must carry.
    public private(set) var nextTick: Tick

    /// An empty window of `capacity` ticks (at least 1) that expects `nextTick` first.
    public init(capacity: Int, nextTick: Tick = .zero) {
        self.capacity = Swift.max(1, capacity)
        self.nextTick = nextTick
    }

    /// The number of ticks held.
    public var count: Int { oldestTick.map { $0.distance(to: nextTick) } ?? 0 }

    /// Whether no tick is held.
    public var isEmpty: Bool { oldestTick == nil }

    /// The newest tick held.
    public var newestTick: Tick? { isEmpty ? nil : nextTick.advanced(by: -1) }

    /// Whether `tick` is held.
    public func holds(_ tick: Tick) -> Bool {
        guard let oldestTick else { return false }
        return tick >= oldestTick && tick < nextTick
    }

    /// The ring slot of `tick`, `0 ..< capacity`.
    @inline(__always)
    public func slot(of tick: Tick) -> Int {
        Int(tick.rawValue % UInt32(capacity))
    }

    /// Makes an empty window expect `tick` next (a window that holds ticks is left as it is).
    public mutating func restartIfEmpty(at tick: Tick) {
        if isEmpty { nextTick = tick }
    }

    /// Takes `tick`, which must be `nextTick`, dropping the oldest tick when full; returns the slot
    /// to store it in, or `nil` (and changes nothing) for any other tick.
    @inline(__always)
    public mutating func append(_ tick: Tick) -> Int? {
        guard tick == nextTick else { return nil }
        if oldestTick == nil { oldestTick = tick }
        nextTick = tick.next
        if count > capacity, let oldest = oldestTick { oldestTick = oldest.next }
        return slot(of: tick)
    }

    /// Stops holding every tick before `tick` (their slots keep their contents for reuse); returns
    /// `false`, changing nothing, when no held tick is before it.
    @discardableResult
    public mutating func trim(before tick: Tick) -> Bool {
        guard let oldest = oldestTick, tick > oldest else { return false }
        let current = Swift.min(tick, nextTick)
        oldestTick = current < nextTick ? current : nil
        return true
    }
}
