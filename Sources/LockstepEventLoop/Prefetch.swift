import CLockstepSystem

/// Cache prefetch hints, for loop code that is about to touch many objects last used long ago
/// (a room's tick: every connection of the room, a tick after the last). A hint only: it reads
/// nothing and changes nothing, so it never waits for memory; the loads that follow find the
/// lines arriving, their misses overlapped instead of one after another between system calls.
public enum Prefetch {
    /// Starts loading the first `bytes` bytes of `object`.
    public static func object(_ object: AnyObject, bytes: Int = 256) {
        CLockstep_prefetch(Unmanaged.passUnretained(object).toOpaque(), bytes)
    }

    /// Starts loading `bytes` bytes from `address` (nothing for nil).
    public static func memory(_ address: UnsafeRawPointer?, bytes: Int) {
        guard let address else { return }
        CLockstep_prefetch(address, bytes)
    }
}
