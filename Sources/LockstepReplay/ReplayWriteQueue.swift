import Dispatch
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Writes replay files on a thread of its own, so a file system that stalls (ext4 writeback, a
/// journal commit: milliseconds, sometimes tens) never stalls the event loop that plays the match.
///
/// One serial queue: writes to every file happen in the order they were handed over, and a file's
/// `close` after its last write. A failed write is kept and reported by the writer's next call.
///
/// With a sync interval, every byte written is also `fsync`ed within that interval, on the same
/// thread: a file's first write after a sync arms one timer, which syncs every file written since
/// (a power loss then loses at most the interval of written data). Without one, files are synced
/// when they are finished (and when a writer asks for it on every flush).
public final class ReplayWriteQueue: Sendable {
    private let queue: DispatchQueue
    /// Milliseconds within which written bytes are `fsync`ed (0: only when a file is finished).
    public let syncIntervalMillis: Int
    /// Files written since the last timed sync, and whether that sync is scheduled. Only the
    /// queue's thread touches it (the lock is never contended; it makes the class `Sendable`).
    private let unsynced = Mutex<(descriptors: [Int32], scheduled: Bool)>(([], false))

    /// A queue with its own serial Dispatch queue.
    ///
    /// - Parameter syncIntervalMillis: when above 0, every write is `fsync`ed within this many
    ///   milliseconds (on the queue's thread); 0 syncs a file only when it is finished.
    public init(label: String = "lockstep.replay-writes", syncIntervalMillis: Int = 0) {
        queue = DispatchQueue(label: label)
        self.syncIntervalMillis = max(0, syncIntervalMillis)
        afterTimedSync = nil
    }

    /// A queue that calls `afterTimedSync` with the number of files each timed sync synced (tests).
    init(syncIntervalMillis: Int, afterTimedSync: @escaping @Sendable (Int) -> Void) {
        queue = DispatchQueue(label: "lockstep.replay-writes")
        self.syncIntervalMillis = max(0, syncIntervalMillis)
        self.afterTimedSync = afterTimedSync
    }

    private let afterTimedSync: (@Sendable (Int) -> Void)?

    /// Queues `bytes` to be written to `fd` (fully, retrying `EINTR`), then `fsync` if `sync`.
    /// A failure is stored in `failure` (the first one wins).
    func write(_ bytes: [UInt8], to fd: Int32, path: String, sync: Bool, failure: ReplayWriteFailure) {
        queue.async {
            guard failure.error == nil else { return }
            if let error = bytes.withUnsafeBytes({ Self.writeAll($0, to: fd, path: path) }) {
                failure.record(error)
                return
            }
            if sync { fsync(fd) } else { self.scheduleSync(of: fd) }
        }
    }

    /// Queues `fsync` and `close` of `fd`, after every write queued before, then `then`.
    func close(_ fd: Int32, sync: Bool, then: (@Sendable () -> Void)? = nil) {
        queue.async {
            // A file still owed a timed sync gets it now: its descriptor number may be reused.
            let owed = self.unsynced.withLock { state in
                guard let index = state.descriptors.firstIndex(of: fd) else { return false }
                state.descriptors.remove(at: index)
                return true
            }
            if sync || owed { fsync(fd) }
            Glibc.close(fd)
            then?()
        }
    }

    /// On the queue's thread, after a write to `fd`: makes sure it is synced within the interval.
    private func scheduleSync(of fd: Int32) {
        guard syncIntervalMillis > 0 else { return }
        let arm = unsynced.withLock { state in
            if !state.descriptors.contains(fd) { state.descriptors.append(fd) }
            defer { state.scheduled = true }
            return !state.scheduled
        }
        guard arm else { return }
        queue.asyncAfter(deadline: .now() + .milliseconds(syncIntervalMillis)) {
            let descriptors = self.unsynced.withLock { state in
                defer { state = ([], false) }
                return state.descriptors
            }
            for descriptor in descriptors { fsync(descriptor) }
            self.afterTimedSync?(descriptors.count)
        }
    }

    /// Runs `work` on the queue's thread after every write queued before it: how old frames are
    /// read back from a file being written without waiting on the caller's thread.
    public func perform(_ work: @escaping @Sendable () -> Void) {
        queue.async(execute: work)
    }

    /// Waits until everything queued so far has been written (for readers of the file, and at shutdown).
    public func waitUntilWritten() {
        queue.sync {}
    }

    /// Writes all of `bytes`; returns the error, or `nil`.
    static func writeAll(_ raw: UnsafeRawBufferPointer, to fd: Int32, path: String) -> ReplayError? {
        var offset = 0
        while offset < raw.count, let base = raw.baseAddress {
            let written = Glibc.write(fd, base + offset, raw.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                return ReplayError(offset: 0, problem: .io("cannot write \(path): \(String(cString: strerror(errno)))"))
            }
            offset += written
        }
        return nil
    }
}

/// The first failed write of one replay file, and who to tell about it.
final class ReplayWriteFailure: Sendable {
    private let stored = Mutex<ReplayError?>(nil)
    private let onFirstFailure: (@Sendable (ReplayError) -> Void)?

    init(onFirstFailure: (@Sendable (ReplayError) -> Void)? = nil) {
        self.onFirstFailure = onFirstFailure
    }

    var error: ReplayError? { stored.withLock { $0 } }

    /// Keeps `error` if it is the first, and then (outside the lock) calls the handler with it.
    func record(_ error: ReplayError) {
        let isFirst = stored.withLock { stored in
            guard stored == nil else { return false }
            stored = error
            return true
        }
        if isFirst { onFirstFailure?(error) }
    }
}
