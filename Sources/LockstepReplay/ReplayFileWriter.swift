#if canImport(Glibc)
import Glibc
#endif
import LockstepCore

/// Writes a replay to a new file as the match is played, append-only; never over an existing file.
///
/// Frames, checkpoints and events are buffered in memory and written every `flushInterval` ticks,
/// so a crash (even `kill -9`) loses at most the last interval; `ReplayReader` in `.recover` mode
/// reads what was written. With `syncOnFlush` each flush also calls `fsync`, which survives power
/// loss at the cost of a disk round trip per flush.
///
/// With a `ReplayWriteQueue` the writes after the header (and `fsync`, and the final `close`)
/// happen on the queue's thread instead of the caller's: a crash then also loses writes still
/// queued (normally none: the queue drains in microseconds unless the disk stalls), and a write
/// error is reported to `onWriteFailure` at once and thrown by the next call that writes.
///
/// Used from one thread at a time (a room's loop); its state is exempt from the runtime's
/// exclusivity checks, which would otherwise run on every tick's `append`.
public final class ReplayFileWriter {
    /// Where the replay is written.
    public let path: String
    /// Ticks between writes to the file.
    public let flushInterval: Int
    /// Whether each flush calls `fsync`.
    public let syncOnFlush: Bool
    @exclusivity(unchecked) private var encoder: ReplayEncoder
    /// The open file (-1 once closed); internal so tests can swap in a failing one with `dup2`.
    @exclusivity(unchecked) private(set) var descriptor: Int32
    private let writeQueue: ReplayWriteQueue?
    private let failure: ReplayWriteFailure
    @exclusivity(unchecked) private var ticksSinceFlush = 0
    /// Whether `finish` has run.
    @exclusivity(unchecked) public private(set) var isFinished = false

    /// Creates `path`, which must not exist (a replay is never overwritten), and writes the
    /// preamble and header to it at once, on the caller's thread, so a disk that cannot take the
    /// file is found here and not after the match started.
    ///
    /// - Throws: `ReplayError` with problem `.fileExists` when `path` exists (nothing is touched),
    ///   `.io` when the file cannot be created or its header written (the file is removed).
    /// - Parameters:
    ///   - writeQueue: when given, the later writes happen on that queue's thread, not the caller's.
    ///   - onWriteFailure: called once, with the first write error, on whichever thread found it
    ///     (the queue's, or the caller's): the moment the replay stopped being written.
    public init(
        path: String, header: ReplayHeader, flushInterval: Int = 30, syncOnFlush: Bool = false,
        writeQueue: ReplayWriteQueue? = nil, onWriteFailure: (@Sendable (ReplayError) -> Void)? = nil
    ) throws(ReplayError) {
        self.path = path
        self.writeQueue = writeQueue
        self.flushInterval = max(1, flushInterval)
        self.syncOnFlush = syncOnFlush
        failure = ReplayWriteFailure(onFirstFailure: onWriteFailure)
        encoder = ReplayEncoder(header: header)
        // O_EXCL: no path through this writer can ever truncate an existing replay.
        descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            let code = errno
            if code == EEXIST { throw ReplayError(offset: 0, problem: .fileExists(path)) }
            throw ReplayError(offset: 0, problem: .io("cannot create \(path): \(String(cString: strerror(code)))"))
        }
        var headerError: ReplayError?
        let fd = descriptor
        encoder.drainOutput { raw in headerError = ReplayWriteQueue.writeAll(raw, to: fd, path: path) }
        if let headerError {
            close(descriptor)
            unlink(path)
            descriptor = -1
            throw headerError
        }
    }

    deinit {
        guard descriptor >= 0 else { return }
        if let writeQueue { writeQueue.close(descriptor, sync: false) } else { close(descriptor) }
    }

    /// Appends the next confirmed frame; writes to the file every `flushInterval` frames.
    ///
    /// The write happens when the frame after a full interval arrives, so the checkpoints and
    /// events recorded for the last tick of the interval go out with its frames.
    public func append(_ frame: ConfirmedFrame) throws(ReplayError) {
        if ticksSinceFlush >= flushInterval { try flush() }
        try encoder.append(frame)
        ticksSinceFlush += 1
    }

    /// Records a state-hash checkpoint (written at the next flush).
    public func checkpoint(_ checkpoint: ReplayCheckpoint) {
        encoder.checkpoint(checkpoint)
    }

    /// Records an event (written at the next flush).
    public func event(_ event: ReplayEvent) {
        encoder.event(event)
    }

    /// Writes everything buffered to the file now.
    public func flush() throws(ReplayError) {
        guard !isFinished else { return }
        encoder.flush()
        try writeOutput(sync: syncOnFlush)
        ticksSinceFlush = 0
    }

    /// Waits until everything flushed so far is in the file (immediately true without a write queue).
    public func waitUntilWritten() throws(ReplayError) {
        writeQueue?.waitUntilWritten()
        if let error = failure.error { throw error }
    }

    /// Reads the frames of `range` back from the file, off the caller's thread, and hands them to
    /// `deliver` on the write queue's thread (on the caller's, at once, without a queue).
    ///
    /// Everything appended so far is flushed first, and the read runs after the writes queued
    /// before it, so every frame appended before the call can be read. Only the records that
    /// hold `range` are read (the encoder's index), never the whole file.
    public func readFrames(
        _ range: Range<Tick>, deliver: @escaping @Sendable (Result<[ConfirmedFrame], ReplayError>) -> Void
    ) {
        do {
            try flush()
        } catch {
            deliver(.failure(error))
            return
        }
        let records = encoder.framesRecords.filter { $0.ticks.overlaps(range) }
        let path = path
        let header = encoder.header
        let failure = failure
        let read: @Sendable () -> Void = {
            if let error = failure.error {
                deliver(.failure(error))
                return
            }
            var frames: [ConfirmedFrame] = []
            frames.reserveCapacity(range.lowerBound.distance(to: range.upperBound))
            do throws(ReplayError) {
                try ReplayFrameReader.frames(in: range, path: path, records: records, header: header) { frames.append($0) }
                deliver(.success(frames))
            } catch {
                deliver(.failure(error))
            }
        }
        if let writeQueue { writeQueue.perform(read) } else { read() }
    }

    /// Whether a write to the file has failed (the file then ends at the last good write).
    public var hasFailed: Bool { failure.error != nil }

    /// Writes the footer and closes the file. Further calls do nothing.
    ///
    /// - Parameter whenWritten: called once the whole file, footer included, is written and
    ///   closed without error (on the queue's thread with a write queue); never after a failure.
    public func finish(finalHash: UInt64, whenWritten: (@Sendable () -> Void)? = nil) throws(ReplayError) {
        guard !isFinished else { return }
        encoder.finish(finalHash: finalHash)
        try writeOutput(sync: false)
        isFinished = true
        let failure = failure
        if let writeQueue {
            writeQueue.close(descriptor, sync: true) {
                if failure.error == nil { whenWritten?() }
            }
        } else {
            fsync(descriptor)
            close(descriptor)
            whenWritten?()
        }
        descriptor = -1
    }

    private func writeOutput(sync: Bool) throws(ReplayError) {
        if let error = failure.error { throw error }
        let fd = descriptor
        let path = path
        if let writeQueue {
            // One copy per flush (every `flushInterval` ticks), handed to the queue's thread.
            var bytes: [UInt8] = []
            encoder.drainOutput { raw in bytes.append(contentsOf: raw) }
            if !bytes.isEmpty || sync { writeQueue.write(bytes, to: fd, path: path, sync: sync, failure: failure) }
            return
        }
        var error: ReplayError?
        encoder.drainOutput { raw in
            if error == nil { error = ReplayWriteQueue.writeAll(raw, to: fd, path: path) }
        }
        if let error {
            failure.record(error)
            throw error
        }
        if sync { fsync(fd) }
    }
}

/// Reads a whole file into memory.
public func readReplayFile(_ path: String) throws(ReplayError) -> [UInt8] {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw ReplayError(offset: 0, problem: .io("cannot open \(path): \(String(cString: strerror(errno)))")) }
    defer { close(fd) }
    var result: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if count < 0 {
            if errno == EINTR { continue }
            throw ReplayError(offset: result.count, problem: .io("cannot read \(path): \(String(cString: strerror(errno)))"))
        }
        if count == 0 { return result }
        result.append(contentsOf: chunk[0..<count])
    }
}
