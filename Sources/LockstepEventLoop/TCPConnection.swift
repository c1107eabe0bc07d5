#if canImport(Glibc)
import Glibc
#endif

/// A non-blocking TCP socket on one event loop: a growable read buffer, a coalescing outbound
/// queue with watermarks and a cap, graceful close, and moving to another loop.
///
/// Confined to `eventLoop`'s thread (hence `@unchecked Sendable`); only `move(to:then:)` hands
/// it across, through the target loop's `execute`. Reading is in `TCPConnection+Reading.swift`,
/// moving in `TCPConnection+Moving.swift`; their stored state is internal for those files only.
public final class TCPConnection: EventLoopSelectable, @unchecked Sendable {
    enum State {
        case open
        /// Left its old loop's epoll set; handed to the new loop once the old loop's current
        /// callbacks have returned. Writes are queued, nothing is read or flushed.
        case moving
        /// Flushing, then half-closed, reads discarded until the peer's FIN or the linger deadline.
        case lingering
        case closed
    }

    /// The loop the connection lives on; changes only through `move(to:then:)`.
    public internal(set) var eventLoop: EventLoop
    /// The peer's address as `host:port`, for logs.
    public let remoteAddress: String
    /// Receives the connection's events; released when the connection closes.
    public var delegate: TCPConnectionDelegate?
    /// The limits this connection was created with.
    public let configuration: TCPConnectionConfiguration
    /// Whether the queue is below the high watermark (or back below the low one).
    public private(set) var isWritable = true
    /// Counts bytes read, if set (a metrics shard of the connection's loop).
    public var bytesReadCounter: AtomicCounter?
    /// Counts bytes written to the socket, if set.
    public var bytesWrittenCounter: AtomicCounter?

    let fd: Int32
    var state = State.open
    var readBuffer: UnsafeMutableRawBufferPointer
    var readerIndex = 0
    var writerIndex = 0
    var outbound = OutboundQueue()
    var flushScheduled = false
    var wantsWritable = false
    var lingerTimer: TimerHandle?
    var overflowReported = false

    /// Wraps an accepted or connected non-blocking socket; call `start()` on `eventLoop` to register it.
    public init(fd: Int32, eventLoop: EventLoop, remoteAddress: String, configuration: TCPConnectionConfiguration) {
        self.fd = fd
        self.eventLoop = eventLoop
        self.remoteAddress = remoteAddress
        self.configuration = configuration
        readBuffer = .allocate(byteCount: configuration.initialReadBufferSize, alignment: 16)
    }

    deinit {
        readBuffer.deallocate()
        if state != .closed { SystemCall.close(fd) }
    }

    /// Registers the socket with its loop (loop thread only).
    public func start() throws(SystemError) {
        try eventLoop.register(fd: fd, interest: .read, self)
    }

    /// Bytes queued and not yet written.
    public var queuedBytes: Int { outbound.queuedBytes }

    /// Whether the connection is still open for writing.
    public var isOpen: Bool { state == .open || state == .moving }

    /// Whether a `move(to:then:)` is under way: stop processing input until `then` runs.
    public var isMoving: Bool { state == .moving }

    // MARK: Writing (loop thread only)

    /// Queues a copy of `bytes`; they go out with everything else queued this loop turn.
    public func write(_ bytes: UnsafeRawBufferPointer) {
        guard isOpen, admit(bytes.count) else { return }
        outbound.append(bytes)
        queued()
    }

    /// Queues bytes `range` of a shared buffer without copying them.
    public func write(_ buffer: SharedBuffer, range: Range<Int>? = nil) {
        let range = range ?? 0..<buffer.count
        guard isOpen, range.lowerBound >= 0, range.upperBound <= buffer.count, admit(range.count) else { return }
        outbound.append(buffer, start: range.lowerBound, end: range.upperBound)
        queued()
    }

    private func admit(_ count: Int) -> Bool {
        guard outbound.queuedBytes + count <= configuration.outboundCap else {
            if !overflowReported {
                overflowReported = true
                delegate?.connectionOutboundOverflow(self)
            }
            return false
        }
        return true
    }

    private func queued() {
        if isWritable, outbound.queuedBytes > configuration.outboundHighWatermark {
            isWritable = false
            delegate?.connection(self, writabilityChanged: false)
        }
        guard !flushScheduled, !wantsWritable else { return }
        flushScheduled = true
        eventLoop.scheduleFlush(self)
    }

    /// Writes what is queued now (called by the loop at the end of a turn and on `EPOLLOUT`).
    func flushNow() {
        flushScheduled = false
        guard state != .closed, state != .moving, !outbound.isEmpty else {
            if state == .lingering { finishLinger() }
            return
        }
        do {
            let drained = try outbound.write(
                fd: fd, iovecs: eventLoop.iovecs, capacity: EventLoop.iovecCapacity, counter: bytesWrittenCounter)
            setWantsWritable(!drained)
            if !isWritable, outbound.queuedBytes <= configuration.outboundLowWatermark {
                isWritable = true
                delegate?.connection(self, writabilityChanged: true)
            }
            if drained, state == .lingering { finishLinger() }
        } catch {
            closeNow(error: error)
        }
    }

    private func setWantsWritable(_ wants: Bool) {
        guard wants != wantsWritable, state != .closed else { return }
        wantsWritable = wants
        try? eventLoop.reregister(fd: fd, interest: wants ? [.read, .write] : .read)
    }

    // MARK: Closing

    /// Flushes what is queued, half-closes, waits for the peer's FIN (at most `lingerTimeout`), then closes.
    ///
    /// This is the clean way to end a WebSocket after a close frame: the peer receives every byte
    /// (closing with unread input would send a reset and could destroy the close frame).
    public func closeAfterFlush() {
        guard state == .open else { return }
        state = .lingering
        let deadline = eventLoop.now + configuration.lingerTimeout
        lingerTimer = eventLoop.scheduleTimer(at: deadline) { [weak self] _ in self?.closeNow(error: nil) }
        if outbound.isEmpty { finishLinger() } else if !flushScheduled && !wantsWritable {
            flushScheduled = true
            eventLoop.scheduleFlush(self)
        }
    }

    func finishLinger() {
        _ = Glibc.shutdown(fd, Int32(SHUT_WR))
    }

    /// Closes the socket at once, dropping anything queued, and tells the delegate.
    public func close() {
        closeNow(error: nil)
    }

    func closeNow(error: SystemError?) {
        guard state != .closed else { return }
        state = .closed
        if let lingerTimer { eventLoop.cancelTimer(lingerTimer) }
        eventLoop.deregister(fd: fd)
        SystemCall.close(fd)
        outbound.reset()
        let delegate = self.delegate
        self.delegate = nil
        delegate?.connectionDidClose(self, error: error)
    }

    public func eventLoopDidStop() {
        closeNow(error: nil)
    }

}
