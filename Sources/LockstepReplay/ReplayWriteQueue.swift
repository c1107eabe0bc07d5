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
public final class ReplayWriteQueue: Sendable {
    private let queue: DispatchQueue

    /// A queue with its own serial Dispatch queue.
    public init(label: String = "lockstep.replay-writes") {
        queue = DispatchQueue(label: label)
    }

    /// Queues `bytes` to be written to `fd` (fully, retrying `EINTR`), then `fsync` if `sync`.
    /// A failure is stored in `failure` (the first one wins).
    func write(_ bytes: [UInt8], to fd: Int32, path: String, sync: Bool, failure: ReplayWriteFailure) {
        queue.async {
            guard failure.error == nil else { return }
            if let error = bytes.withUnsafeBytes({ Self.writeAll($0, to: fd, path: path) }) {
                failure.record(error)
                return
            }
            if sync { fsync(fd) }
        }
    }

    /// Queues `fsync` and `close` of `fd`, after every write queued before, then `then`.
    func close(_ fd: Int32, sync: Bool, then: (@Sendable () -> Void)? = nil) {
        queue.async {
            if sync { fsync(fd) }
            Glibc.close(fd)
            then?()
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
