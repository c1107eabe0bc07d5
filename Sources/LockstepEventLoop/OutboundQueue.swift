import CLockstepSystem
#if canImport(Glibc)
import Glibc
#endif

/// The bytes waiting to be written on one connection, written with one `send`/`sendmsg` per flush.
///
/// Small writes are copied into a per-connection arena; `SharedBuffer`s are retained, not
/// copied, so one encoded frame queued to a hundred connections exists once in memory. Storage
/// is reused once drained: no allocation per write in steady state. Loop thread only.
struct OutboundQueue {
    enum Chunk {
        /// Bytes `start..<end` of the arena.
        case arena(start: Int, end: Int)
        /// Bytes `start..<end` of a shared buffer.
        case shared(SharedBuffer, start: Int, end: Int)

        var count: Int {
            switch self {
            case .arena(let start, let end), .shared(_, let start, let end): end - start
            }
        }
    }

    /// Chunks `head..<tail` are queued; the slots outside hold `.arena(0, 0)` (no buffer kept
    /// alive) and are overwritten by later appends, so draining resets two integers instead of
    /// emptying the array.
    private var chunks: [Chunk] = []
    private var head = 0
    private var tail = 0
    private var arena: [UInt8] = []
    /// Whether `arena` may hold bytes since the last reset. Kept here, in the queue, because the
    /// arena's own count lives in its heap buffer: a tick's frame goes out as a shared buffer
    /// only, and a reset that read the arena's header would take a cache miss per connection.
    private var arenaUsed = false
    /// Bytes queued and not yet written.
    private(set) var queuedBytes = 0
    /// Write calls (`send` or `sendmsg`) made so far (for tests of coalescing).
    private(set) var writeCalls = 0

    var isEmpty: Bool { queuedBytes == 0 }

    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0 else { return }
        let start = arena.count
        arena.append(contentsOf: bytes)
        arenaUsed = true
        // Extend the last chunk when it ends where this one starts: fewer iovecs.
        if tail > head, case .arena(let lastStart, let lastEnd) = chunks[tail - 1], lastEnd == start {
            chunks[tail - 1] = .arena(start: lastStart, end: arena.count)
        } else {
            push(.arena(start: start, end: arena.count))
        }
        queuedBytes += bytes.count
    }

    private mutating func push(_ chunk: Chunk) {
        if tail < chunks.count {
            chunks[tail] = chunk
        } else {
            chunks.append(chunk)
        }
        tail += 1
    }

    mutating func append(_ buffer: SharedBuffer, start: Int, end: Int) {
        guard end > start else { return }
        push(.shared(buffer, start: start, end: end))
        queuedBytes += end - start
    }

    /// Writes as much as the socket takes in one call: `send` for one chunk, `sendmsg` for more.
    ///
    /// - Returns: `true` when everything queued was written.
    mutating func write(
        fd: Int32, iovecs: UnsafeMutablePointer<iovec>, capacity: Int, counter: AtomicCounter?
    ) throws(SystemError) -> Bool {
        while queuedBytes > 0 {
            // Read-only access to the arena (the kernel only reads it, and no uniqueness check),
            // and none at all when only shared buffers are queued (a tick's frame): the arena's
            // header would be one more cache line per connection per tick.
            let outcome =
                arenaUsed
                ? arena.withUnsafeBytes { writeOnce(fd: fd, iovecs: iovecs, capacity: capacity, arenaBase: $0.baseAddress) }
                : writeOnce(fd: fd, iovecs: iovecs, capacity: capacity, arenaBase: nil)
            writeCalls += 1
            let written = try outcome.get()
            guard written >= 0 else { return false }
            counter?.add(UInt64(written))
            let requestedAll = consume(written)
            if !requestedAll {
                compactIfWorthwhile()
                return false
            }
        }
        return true
    }

    /// One `send` (one chunk) or `sendmsg` (more) of the queued chunks, up to `capacity` iovecs:
    /// the bytes written, -1 when the socket is full, or the error.
    private func writeOnce(
        fd: Int32, iovecs: UnsafeMutablePointer<iovec>, capacity: Int, arenaBase: UnsafeRawPointer?
    ) -> Result<Int, SystemError> {
        var count = 0
        var index = head
        while index < tail, count < capacity {
            switch chunks[index] {
            case .arena(let start, let end):
                iovecs[count] = iovec(iov_base: UnsafeMutableRawPointer(mutating: arenaBase?.advanced(by: start)), iov_len: end - start)
            case .shared(let buffer, let start, let end):
                iovecs[count] = iovec(
                    iov_base: UnsafeMutableRawPointer(mutating: buffer.bytes.baseAddress?.advanced(by: start)), iov_len: end - start)
            }
            count += 1
            index += 1
        }
        do throws(SystemError) {
            // MSG_NOSIGNAL, not write/writev: a peer that reset the connection must give EPIPE,
            // never a SIGPIPE that kills the whole process (and every room in it). One chunk
            // (a tick's frame, the common case) is a plain `send`: no message header to copy in.
            let result: IOResult<Int>
            if count == 1 {
                result = try SystemCall.run("send") {
                    CLockstep_send(fd, iovecs[0].iov_base, iovecs[0].iov_len, Int32(MSG_NOSIGNAL))
                }
            } else {
                var message = msghdr()
                message.msg_iov = iovecs
                message.msg_iovlen = count
                result = try SystemCall.run("sendmsg") { Glibc.sendmsg(fd, &message, Int32(MSG_NOSIGNAL)) }
            }
            switch result {
            case .processed(let written): return .success(written)
            case .wouldBlock: return .success(-1)
            }
        } catch {
            return .failure(error)
        }
    }

    /// Drops `written` bytes from the front; returns whether the socket took all it was offered.
    private mutating func consume(_ written: Int) -> Bool {
        var remaining = written
        queuedBytes -= written
        while remaining > 0, head < tail {
            let chunk = chunks[head]
            if chunk.count <= remaining {
                remaining -= chunk.count
                chunks[head] = .arena(start: 0, end: 0)  // release a shared buffer now
                head += 1
            } else {
                switch chunk {
                case .arena(let start, let end): chunks[head] = .arena(start: start + remaining, end: end)
                case .shared(let buffer, let start, let end): chunks[head] = .shared(buffer, start: start + remaining, end: end)
                }
                return false  // a partial write: the socket buffer is full
            }
        }
        if head == tail { reset() }
        return true
    }

    /// Moves the live part of the arena to its front when the written prefix dominates it, so a
    /// connection that never fully drains does not grow its arena without bound.
    mutating func compactIfWorthwhile() {
        guard arena.count > 64 * 1024 else { return }
        var firstArenaStart: Int?
        for index in head..<tail {
            if case .arena(let start, _) = chunks[index] {
                firstArenaStart = start
                break
            }
        }
        let cut = firstArenaStart ?? arena.count
        guard cut > arena.count / 2 else { return }
        arena.removeFirst(cut)
        for index in head..<tail {
            if case .arena(let start, let end) = chunks[index] { chunks[index] = .arena(start: start - cut, end: end - cut) }
        }
        if head > 1024 {
            chunks.removeFirst(head)
            tail -= head
            head = 0
        }
    }

    /// The arena capacity kept once the queue drains: a loop turn's worth of small writes for
    /// a busy connection, so the steady state allocates nothing, while a burst's large arena is
    /// freed (a thousand drained connections must not each keep a megabyte).
    static let keptArenaCapacity = 32 * 1024

    /// Forgets everything queued (drained, or the connection is closing). With
    /// `releasingStorage` (closing) the arena and chunk list are freed, not kept for reuse.
    mutating func reset(releasingStorage: Bool = false) {
        if releasingStorage || chunks.capacity > 4096 {
            chunks = []
        } else {
            // Drained: every written chunk was replaced by `.arena(0, 0)` already. (A reset with
            // chunks still queued clears them, releasing their buffers.)
            for index in head..<tail { chunks[index] = .arena(start: 0, end: 0) }
        }
        head = 0
        tail = 0
        if releasingStorage {
            arena = []
        } else if arenaUsed {
            arena.removeAll(keepingCapacity: arena.capacity <= Self.keptArenaCapacity)
        }
        arenaUsed = false
        queuedBytes = 0
    }
}
