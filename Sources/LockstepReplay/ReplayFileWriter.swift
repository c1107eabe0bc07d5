#if canImport(Glibc)
import Glibc
#endif
import LockstepCore

/// Writes a replay to a file as the match is played, append-only.
///
/// Frames, checkpoints and events are buffered in memory and written every `flushInterval` ticks,
/// so a crash (even `kill -9`) loses at most the last interval; `ReplayReader` in `.recover` mode
/// reads what was written. With `syncOnFlush` each flush also calls `fsync`, which survives power
/// loss at the cost of a disk round trip per flush.
public final class ReplayFileWriter {
    /// Where the replay is written.
    public let path: String
    /// Ticks between writes to the file.
    public let flushInterval: Int
    /// Whether each flush calls `fsync`.
    public let syncOnFlush: Bool
    private var encoder: ReplayEncoder
    private var descriptor: Int32
    private var ticksSinceFlush = 0
    /// Whether `finish` has run.
    public private(set) var isFinished = false

    /// Creates (or truncates) `path` and writes the preamble and header.
    ///
    /// - Throws: `ReplayError.io` when the file cannot be created or written.
    public init(path: String, header: ReplayHeader, flushInterval: Int = 30, syncOnFlush: Bool = false) throws(ReplayError) {
        self.path = path
        self.flushInterval = max(1, flushInterval)
        self.syncOnFlush = syncOnFlush
        encoder = ReplayEncoder(header: header)
        descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw ReplayError(offset: 0, problem: .io("cannot create \(path): \(String(cString: strerror(errno)))"))
        }
        try writeOutput()
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
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
        try writeOutput()
        ticksSinceFlush = 0
        if syncOnFlush { fsync(descriptor) }
    }

    /// Writes the footer and closes the file. Further calls do nothing.
    public func finish(finalHash: UInt64) throws(ReplayError) {
        guard !isFinished else { return }
        encoder.finish(finalHash: finalHash)
        try writeOutput()
        isFinished = true
        fsync(descriptor)
        close(descriptor)
        descriptor = -1
    }

    private func writeOutput() throws(ReplayError) {
        var failure: ReplayError?
        let fd = descriptor
        let path = path
        encoder.drainOutput { raw in
            var offset = 0
            while offset < raw.count, let base = raw.baseAddress {
                let written = write(fd, base + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = ReplayError(offset: 0, problem: .io("cannot write \(path): \(String(cString: strerror(errno)))"))
                    return
                }
                offset += written
            }
        }
        if let failure { throw failure }
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
