/// Bytes with a reference count: encode once, queue the same bytes to many connections.
///
/// Queuing a `SharedBuffer` on a connection retains it instead of copying the bytes; the memory
/// is freed when the last connection has written it. The bytes do not change while anyone but
/// their writer holds the buffer (a `SharedBufferRecycler` refills one only when it holds the
/// sole reference), so it is safe to share across threads (`@unchecked` only because raw
/// pointers are not `Sendable`).
public final class SharedBuffer: @unchecked Sendable {
    @usableFromInline let storage: UnsafeMutableRawBufferPointer
    /// The number of bytes.
    @inlinable public var count: Int { _count }
    // Behind an inlinable getter: `@exclusivity(unchecked)` holds only for accesses compiled in
    // this module, and every send of a frame, in other modules too, reads it.
    @usableFromInline @exclusivity(unchecked) var _count: Int

    /// Copies `bytes` into a new shared buffer.
    public convenience init(copying bytes: UnsafeRawBufferPointer) {
        self.init(count: bytes.count) { destination in
            if bytes.count > 0 { destination.copyMemory(from: bytes) }
        }
    }

    /// Creates a buffer of `count` bytes written once by `initializer`.
    public init(count: Int, initializer: (UnsafeMutableRawBufferPointer) -> Void) {
        storage = .allocate(byteCount: max(1, count), alignment: 16)
        _count = count
        initializer(UnsafeMutableRawBufferPointer(rebasing: storage[0..<count]))
    }

    /// Copies an array into a new shared buffer.
    public convenience init(_ array: [UInt8]) {
        self.init(count: array.count) { destination in
            array.withUnsafeBytes { destination.copyMemory(from: $0) }
        }
    }

    /// The bytes.
    @inlinable public var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: storage[0..<_count]) }

    /// The most bytes this buffer can hold when refilled.
    var capacity: Int { storage.count }

    /// Writes new contents; only for the sole owner (`SharedBufferRecycler`).
    func refill(count: Int, initializer: (UnsafeMutableRawBufferPointer) -> Void) {
        _count = count
        initializer(UnsafeMutableRawBufferPointer(rebasing: storage[0..<count]))
    }

    deinit {
        storage.deallocate()
    }
}

/// Hands out `SharedBuffer`s for a sender that queues one message to many connections again and
/// again (a room's frame every tick): the previous buffer is refilled once every connection has
/// written it and released it, so the steady state allocates nothing. A new buffer is made only
/// while a slow reader still holds the last one, or for a larger message.
public struct SharedBufferRecycler {
    private var spare: SharedBuffer?

    /// An empty recycler.
    public init() {}

    /// A buffer of `count` bytes written by `initializer`: the previous one, if nobody else holds
    /// it and it is large enough, else a new one (at least 256 bytes, to be reused in turn).
    public mutating func buffer(count: Int, initializer: (UnsafeMutableRawBufferPointer) -> Void) -> SharedBuffer {
        if var previous = spare {
            spare = nil
            if isKnownUniquelyReferenced(&previous), previous.capacity >= count {
                previous.refill(count: count, initializer: initializer)
                spare = previous
                return previous
            }
        }
        let fresh = SharedBuffer(count: max(count, 256)) { _ in }
        fresh.refill(count: count, initializer: initializer)
        spare = fresh
        return fresh
    }
}
