/// Misuse of a rollback buffer, reported instead of trapping.
public enum RollbackBufferError: Error, Equatable, Sendable {
    /// Frames must be appended in tick order with no gap.
    case nonContiguous(expected: Tick, got: Tick)
    /// The tick is not (or no longer) held.
    case notHeld(Tick)
    /// No snapshot at or before the tick is held.
    case noSnapshot(before: Tick)
    /// A snapshot was offered for a tick whose frame is not the newest appended.
    case snapshotOutOfOrder(Tick)
}

/// What `RollbackBuffer.rewind(to:)` returns: where to restart and what to replay.
public struct Rewind<Frame, Snapshot> {
    /// The tick of the snapshot: the state after `snapshotTick - 1` was applied, before `snapshotTick`.
    public var snapshotTick: Tick
    /// The saved state.
    public var snapshot: Snapshot
    /// Every held frame from `snapshotTick` up to the newest, in order.
    public var frames: [Frame]
}

extension Rewind: Sendable where Frame: Sendable, Snapshot: Sendable {}

/// A fixed-capacity ring of frames keyed by tick, with a state snapshot every `snapshotInterval` ticks.
///
/// Which ticks are held is a `TickWindow` (shared with the room's `FrameRing`). Appends, lookups
/// and trims are O(1); the ring holds the newest `capacity` frames and drops the oldest on
/// overflow. Snapshots are kept in their own ring of `capacity / snapshotInterval + 1` entries, so
/// every frame held is covered by a snapshot at or before it once the ring has filled.
/// A snapshot for tick t is the state before frame t is applied.
public struct RollbackBuffer<Frame, Snapshot> {
    /// How many frames the ring holds.
    public var capacity: Int { window.capacity }
    /// Ticks between snapshots.
    public let snapshotInterval: Int
    private var window: TickWindow
    private var frames: [Frame?]
    private var snapshots: [(tick: Tick, state: Snapshot)?]
    /// The oldest tick held, or `nil` when empty.
    public var oldestTick: Tick? { window.oldestTick }
    /// The tick the next `append` must carry.
    public var nextTick: Tick { window.nextTick }

    /// An empty buffer that expects `firstTick` first.
    ///
    /// - Throws: `ConfigurationError` for a capacity or interval below 1, or an interval over the capacity.
    public init(capacity: Int, snapshotInterval: Int, firstTick: Tick = .zero) throws(ConfigurationError) {
        guard capacity >= 1, capacity <= 1 << 24 else {
            throw ConfigurationError(field: "capacity", message: "must be 1 to \(1 << 24), not \(capacity)")
        }
        guard snapshotInterval >= 1, snapshotInterval <= capacity else {
            throw ConfigurationError(field: "snapshotInterval", message: "must be 1 to the capacity (\(capacity)), not \(snapshotInterval)")
        }
        self.snapshotInterval = snapshotInterval
        window = TickWindow(capacity: capacity, nextTick: firstTick)
        frames = Array(repeating: nil, count: capacity)
        snapshots = Array(repeating: nil, count: capacity / snapshotInterval + 1)
    }

    /// The number of frames held.
    public var count: Int { window.count }

    /// The newest tick held.
    public var newestTick: Tick? { window.newestTick }

    /// Appends the frame for `tick`, which must be `nextTick`; drops the oldest frame when full.
    public mutating func append(_ frame: Frame, at tick: Tick) throws(RollbackBufferError) {
        guard let slot = window.append(tick) else { throw .nonContiguous(expected: nextTick, got: tick) }
        frames[slot] = frame
    }

    /// Appends the frame for `tick` by updating, in place, the value its ring slot held before
    /// (`nil` until the ring has wrapped), so a frame type with storage (an array) reuses it:
    /// no allocation per append once the ring is full.
    public mutating func append(at tick: Tick, updating update: (inout Frame?) -> Void) throws(RollbackBufferError) {
        guard let slot = window.append(tick) else { throw .nonContiguous(expected: nextTick, got: tick) }
        update(&frames[slot])
    }

    /// Whether the frame of `tick` is held.
    public func holds(_ tick: Tick) -> Bool { window.holds(tick) }

    /// The frame of `tick`, or `nil` when not held.
    public func frame(at tick: Tick) -> Frame? {
        holds(tick) ? frames[slot(of: tick)] : nil
    }

    /// The frames of `range`, in order.
    ///
    /// - Throws: `.notHeld` naming the first tick of the range not held.
    public func frames(in range: Range<Tick>) throws(RollbackBufferError) -> [Frame] {
        var result: [Frame] = []
        result.reserveCapacity(max(0, range.lowerBound.distance(to: range.upperBound)))
        var tick = range.lowerBound
        while tick < range.upperBound {
            guard holds(tick), let frame = frames[slot(of: tick)] else { throw .notHeld(tick) }
            result.append(frame)
            tick = tick.next
        }
        return result
    }

    /// Drops every frame and snapshot before `tick`.
    public mutating func trim(before tick: Tick) {
        // Frames stay in their ring slots (so the next append can reuse their storage); they are
        // simply no longer held.
        guard window.trim(before: tick) else { return }
        for index in snapshots.indices {
            if let entry = snapshots[index], entry.tick < tick { snapshots[index] = nil }
        }
    }

    /// Stores the state before frame `tick` is applied; only ticks that are multiples of the interval
    /// are kept (others are ignored and return `false`). `tick` must be `nextTick`.
    @discardableResult
    public mutating func storeSnapshot(_ state: Snapshot, at tick: Tick) throws(RollbackBufferError) -> Bool {
        guard tick == nextTick else { throw .snapshotOutOfOrder(tick) }
        guard Int(tick.rawValue) % snapshotInterval == 0 else { return false }
        snapshots[(Int(tick.rawValue) / snapshotInterval) % snapshots.count] = (tick, state)
        return true
    }

    /// The nearest snapshot at or before `tick`, plus every held frame from it to the newest.
    ///
    /// - Throws: `.noSnapshot` when none at or before `tick` is held with its frames.
    public func rewind(to tick: Tick) throws(RollbackBufferError) -> Rewind<Frame, Snapshot> {
        var best: (tick: Tick, state: Snapshot)?
        for entry in snapshots {
            guard let entry, entry.tick <= tick else { continue }
            guard entry.tick == nextTick || holds(entry.tick) else { continue }
            if let current = best, current.tick >= entry.tick { continue }
            best = entry
        }
        guard let best else { throw .noSnapshot(before: tick) }
        let replay = try frames(in: best.tick..<nextTick)
        return Rewind(snapshotTick: best.tick, snapshot: best.state, frames: replay)
    }

    /// Calls `body` with the frame of `tick` in place (no copy), or returns `nil` when not held.
    public func withFrame<Result>(at tick: Tick, _ body: (Frame) -> Result) -> Result? {
        guard holds(tick), let frame = frames[slot(of: tick)] else { return nil }
        return body(frame)
    }

    private func slot(of tick: Tick) -> Int { window.slot(of: tick) }
}

extension RollbackBuffer: Sendable where Frame: Sendable, Snapshot: Sendable {}
