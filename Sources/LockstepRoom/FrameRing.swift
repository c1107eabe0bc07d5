import LockstepCore

/// The room's catch-up ring: the encoded bodies of the newest `capacity` confirmed frames, kept in
/// one contiguous byte buffer with a fixed stride (the longest body seen so far) instead of one
/// array per frame.
///
/// An array per frame cost about 85 bytes of heap per tick for a 37-byte body (a 4-player arena
/// frame): 23 KB per room, ~6 KiB per connection over the 10 s a room keeps. Here a tick costs
/// the stride plus 2 bytes. The stride only grows (to at most the room's largest possible body),
/// and growing re-lays the held frames once; appends allocate nothing after that.
///
/// Which ticks are held is a `TickWindow`, the same bookkeeping as the client's `RollbackBuffer`;
/// only the storage differs.
struct FrameRing {
    private var window: TickWindow
    private var stride = 0
    private var storage: [UInt8] = []
    private var lengths: [UInt16]

    /// An empty ring of `capacity` frames (at least 1).
    init(capacity: Int) {
        window = TickWindow(capacity: capacity)
        lengths = Array(repeating: 0, count: window.capacity)
    }

    /// How many frames are held at most (10 s of ticks by default: see `RoomSettings.rollbackCapacity`).
    var capacity: Int { window.capacity }
    /// The oldest tick held, or `nil` when empty.
    var oldestTick: Tick? { window.oldestTick }
    /// The tick the next append must carry.
    var nextTick: Tick { window.nextTick }
    /// The number of frames held.
    var count: Int { window.count }

    /// Whether the frame of `tick` is held.
    func holds(_ tick: Tick) -> Bool { window.holds(tick) }

    /// Appends the body of `tick`; ignored unless `tick` follows the newest (or the ring is empty).
    /// Drops the oldest frame when full.
    mutating func append(_ body: UnsafeRawBufferPointer, at tick: Tick) {
        guard window.isEmpty || tick == window.nextTick, body.count <= Int(UInt16.max) else { return }
        if body.count > stride { grow(to: body.count) }
        window.restartIfEmpty(at: tick)
        guard let slot = window.append(tick) else { return }
        storage.withUnsafeMutableBytes { bytes in
            if let source = body.baseAddress, let base = bytes.baseAddress, body.count > 0 {
                (base + slot * stride).copyMemory(from: source, byteCount: body.count)
            }
        }
        lengths[slot] = UInt16(body.count)
    }

    /// Calls `body` with the frame of `tick` in place, or returns `nil` when it is not held.
    func withFrame<Result>(at tick: Tick, _ body: (UnsafeRawBufferPointer) -> Result) -> Result? {
        guard holds(tick) else { return nil }
        let slot = window.slot(of: tick)
        return storage.withUnsafeBytes { bytes in
            body(UnsafeRawBufferPointer(rebasing: bytes[slot * stride..<slot * stride + Int(lengths[slot])]))
        }
    }

    /// Widens the stride to `newStride` (at least doubling, so growth is rare) and re-lays the held frames.
    private mutating func grow(to needed: Int) {
        let newStride = max(needed, stride * 2, 8)
        var grown = [UInt8](repeating: 0, count: capacity * newStride)
        if stride > 0 {
            grown.withUnsafeMutableBytes { destination in
                storage.withUnsafeBytes { source in
                    guard let to = destination.baseAddress, let from = source.baseAddress else { return }
                    for slot in 0..<capacity where lengths[slot] > 0 {
                        (to + slot * newStride).copyMemory(from: from + slot * stride, byteCount: Int(lengths[slot]))
                    }
                }
            }
        }
        storage = grown
        stride = newStride
    }
}
