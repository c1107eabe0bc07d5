/// Immutable bytes with a reference count: encode once, queue the same bytes to many connections.
///
/// Queuing a `SharedBuffer` on a connection retains it instead of copying the bytes; the memory
/// is freed when the last connection has written it. Immutable after creation, so it is safe to
/// share across threads (`@unchecked` only because raw pointers are not `Sendable`).
public final class SharedBuffer: @unchecked Sendable {
    /// The bytes; never mutated after `init`.
    public let bytes: UnsafeRawBufferPointer

    /// Copies `bytes` into a new shared buffer.
    public init(copying bytes: UnsafeRawBufferPointer) {
        let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, bytes.count), alignment: 16)
        if let base = bytes.baseAddress, bytes.count > 0 {
            storage.baseAddress?.copyMemory(from: base, byteCount: bytes.count)
        }
        self.bytes = UnsafeRawBufferPointer(rebasing: storage[0..<bytes.count])
    }

    /// Creates a buffer of `count` bytes written once by `initializer`.
    public init(count: Int, initializer: (UnsafeMutableRawBufferPointer) -> Void) {
        let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, count), alignment: 16)
        let view = UnsafeMutableRawBufferPointer(rebasing: storage[0..<count])
        initializer(view)
        bytes = UnsafeRawBufferPointer(view)
    }

    /// Copies an array into a new shared buffer.
    public convenience init(_ array: [UInt8]) {
        self.init(count: array.count) { destination in
            array.withUnsafeBytes { destination.copyMemory(from: $0) }
        }
    }

    /// The number of bytes.
    public var count: Int { bytes.count }

    deinit {
        UnsafeMutableRawPointer(mutating: bytes.baseAddress)?.deallocate()
    }
}
