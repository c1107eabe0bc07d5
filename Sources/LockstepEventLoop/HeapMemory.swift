import CLockstepSystem

/// Process-wide settings of the C allocator (glibc) that decide whether memory freed after a
/// burst goes back to the system.
///
/// By default glibc raises its mmap threshold each time a mapped block is freed, so after one
/// burst of large queue or read buffers the next ones come from the heap, and the heap keeps
/// what a burst freed (the issue saw 271 MiB still held two seconds after 200 flooding clients
/// left). `Server.start()` calls `returnLargeBlocksToSystem()` once.
public enum HeapMemory {
    /// The fixed mmap threshold: blocks of 128 KiB or more are mapped on their own.
    public static let mmapThreshold = 128 * 1024

    /// Fixes the mmap threshold at `mmapThreshold`, so large buffers are unmapped when freed.
    /// Returns whether the allocator accepted it.
    @discardableResult
    public static func returnLargeBlocksToSystem() -> Bool {
        CLockstep_setMmapThreshold(Int32(mmapThreshold)) == 1
    }
}
