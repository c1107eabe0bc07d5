import CLockstepSystem

#if canImport(Glibc)
import Glibc
#endif

/// A non-blocking TCP socket on one event loop: a growable read buffer, a coalescing outbound
/// queue with watermarks and a cap, backpressure (optional: no reads while over the high
/// watermark), graceful close, and moving to another loop.
///
/// Confined to `eventLoop`'s thread (hence `@unchecked Sendable`); only `move(to:then:)` hands
/// it across, through the target loop's `execute`. Checked entry points (debug builds, with
/// `EventLoop.assertInEventLoop()`): `start`, `setOutboundLimits`, `enableReceiveTimestamps`,
/// both `write`s, `writeImmediately`, `flush`, `reserveReadCapacity`, `processBufferedInput`, `closeAfterFlush`,
/// `close`, `move`, and the loop's callbacks (`handleEvents`, `eventLoopDidStop`).
public final class TCPConnection: EventLoopSelectable, @unchecked Sendable {
    @usableFromInline enum State {
        case open
        /// Flushing, then half-closed, reads discarded until the peer's FIN or the linger deadline.
        case lingering
        case closed
    }

    // The stored properties are in the order a tick's write touches them (`fd` … `heldOnLoop`,
    // then the read path's): Swift lays a class out in declaration order, and a room's tick
    // visits a thousand connections, so the fields it needs share as few cache lines as possible.

    let fd: Int32
    @usableFromInline @exclusivity(unchecked) var state = State.open
    @exclusivity(unchecked) private var flushScheduled = false
    @exclusivity(unchecked) private var wantsWritable = false
    /// Whether the queue is below the high watermark (or back below the low one).
    @usableFromInline @exclusivity(unchecked) var _isWritable = true
    /// Whether reads are paused by backpressure (`pausesReadingWhenUnwritable` and not writable).
    @exclusivity(unchecked) private var readingPaused = false
    /// Whether reads take the kernel's receive time (see `enableReceiveTimestamps()`).
    @usableFromInline @exclusivity(unchecked) var _recordsReceiveTime = false
    /// Whether a move to another loop has been requested and not yet completed. Set at once on
    /// the old loop, so a delegate stops consuming input there.
    @usableFromInline @exclusivity(unchecked) var _isMoving = false
    /// The loop the connection lives on; changes only through `move(to:then:)`.
    @usableFromInline @exclusivity(unchecked) var _eventLoop: EventLoop
    @exclusivity(unchecked) private var outbound = OutboundQueue()
    /// The limits this connection was created with (its outbound limits may change, see
    /// `setOutboundLimits(_:)`).
    @usableFromInline @exclusivity(unchecked) var _configuration: TCPConnectionConfiguration
    /// The bytes this connection has added to its loop's `outboundHeldBytes`.
    @exclusivity(unchecked) private var heldOnLoop = 0
    /// Counts bytes written to the socket, if set.
    @exclusivity(unchecked) public var bytesWrittenCounter: AtomicCounter?
    /// Counts bytes read, if set (a metrics shard of the connection's loop).
    @exclusivity(unchecked) public var bytesReadCounter: AtomicCounter?
    /// Receives the connection's events; released when the connection closes.
    @exclusivity(unchecked) public var delegate: TCPConnectionDelegate?
    @exclusivity(unchecked) private var readBuffer: UnsafeMutableRawBufferPointer
    @exclusivity(unchecked) private var readerIndex = 0
    @exclusivity(unchecked) private var writerIndex = 0
    /// How deep we are in delivering input to the delegate (`readNow`, `processBufferedInput`).
    @exclusivity(unchecked) private var inputDepth = 0
    /// When the kernel received the newest bytes of the latest read, on `CLOCK_REALTIME` in
    /// nanoseconds; 0 when that read carried no timestamp (and always without
    /// `enableReceiveTimestamps()`).
    @usableFromInline @exclusivity(unchecked) var _lastReceiveRealtime: UInt64 = 0

    // The public properties below read stored ones above through inlinable getters:
    // `@exclusivity(unchecked)` holds only for accesses compiled in this module, and the
    // WebSocket and room layers (other modules) read them on every message and every frame.

    /// Whether the queue is below the high watermark (or back below the low one).
    @inlinable public var isWritable: Bool { _isWritable }
    /// Whether reads take the kernel's receive time (see `enableReceiveTimestamps()`).
    @inlinable public var recordsReceiveTime: Bool { _recordsReceiveTime }
    /// Whether a move to another loop has been requested and not yet completed. Set at once on
    /// the old loop, so a delegate stops consuming input there.
    @inlinable public var isMoving: Bool { _isMoving }
    /// The loop the connection lives on; changes only through `move(to:then:)`.
    @inlinable public var eventLoop: EventLoop { _eventLoop }
    /// The limits this connection was created with (its outbound limits may change, see
    /// `setOutboundLimits(_:)`).
    @inlinable public var configuration: TCPConnectionConfiguration { _configuration }
    /// When the kernel received the newest bytes of the latest read, on `CLOCK_REALTIME` in
    /// nanoseconds; 0 when that read carried no timestamp (and always without
    /// `enableReceiveTimestamps()`).
    @inlinable public var lastReceiveRealtime: UInt64 { _lastReceiveRealtime }

    /// The peer's address as `host:port`, for logs.
    public let remoteAddress: String
    /// The epoll interest registered now.
    @exclusivity(unchecked) private var registeredInterest = EventInterest.read
    @exclusivity(unchecked) private var lingerTimer: TimerHandle?
    /// Bytes read and dropped while lingering (see `lingerDiscardLimit`).
    @exclusivity(unchecked) private var lingerDiscarded = 0
    @exclusivity(unchecked) private var overflowReported = false
    /// A move requested while input was being delivered: performed when delivery returns.
    @exclusivity(unchecked) private var pendingMove: (target: EventLoop, then: @Sendable (TCPConnection) -> Void)?

    /// Wraps an accepted or connected non-blocking socket; call `start()` on `eventLoop` to register it.
    public init(fd: Int32, eventLoop: EventLoop, remoteAddress: String, configuration: TCPConnectionConfiguration) {
        self.fd = fd
        _eventLoop = eventLoop
        self.remoteAddress = remoteAddress
        _configuration = configuration
        readBuffer = .allocate(byteCount: configuration.initialReadBufferSize, alignment: 16)
    }

    deinit {
        readBuffer.deallocate()
        if state != .closed { SystemCall.close(fd) }
    }

    /// Registers the socket with its loop (loop thread only).
    public func start() throws(SystemError) {
        eventLoop.assertInEventLoop()
        try eventLoop.register(fd: fd, interest: .read, self)
        registeredInterest = .read
    }

    /// Changes the watermarks and cap (an endpoint sizing the queue for what it sends), and
    /// re-evaluates writability and backpressure against what is queued now. Loop thread only.
    ///
    /// - Throws: `ConfigurationError` when the limits are inconsistent (nothing changes).
    public func setOutboundLimits(_ limits: OutboundLimits) throws(ConfigurationError) {
        eventLoop.assertInEventLoop()
        try limits.validate()
        _configuration.outboundLimits = limits
        if isWritable, outbound.queuedBytes > limits.highWatermark {
            setWritable(false)
        } else if !isWritable, outbound.queuedBytes <= limits.lowWatermark {
            setWritable(true)
        }
    }

    /// Asks the kernel to stamp received data (`SO_TIMESTAMPNS`): each read then sets
    /// `lastReceiveRealtime`, the time the data reached this host's socket rather than the time
    /// the loop got to it. A benchmark client uses it to keep its own queueing out of what it
    /// measures. Costs a `recvmsg` with a control buffer instead of a `read`.
    public func enableReceiveTimestamps() throws(SystemError) {
        eventLoop.assertInEventLoop()
        _ = try SystemCall.checked("setsockopt") { CLockstep_enableReceiveTimestamps(fd) }
        _recordsReceiveTime = true
    }

    /// Bytes queued and not yet written.
    public var queuedBytes: Int { outbound.queuedBytes }

    /// Whether the connection is still open for writing.
    @inlinable public var isOpen: Bool {
        if case .open = state { return true }
        return false
    }

    // MARK: Writing (loop thread only)

    /// Queues a copy of `bytes`; they go out with everything else queued this loop turn.
    public func write(_ bytes: UnsafeRawBufferPointer) {
        eventLoop.assertInEventLoop()
        guard state == .open, admit(bytes.count) else { return }
        outbound.append(bytes)
        queued()
    }

    /// Sends bytes `range` of a shared buffer at once, with one `send` and no queueing, when
    /// nothing is queued ahead of them; otherwise, and for whatever the socket does not take,
    /// queues them like `write(_:range:)`. A failed `send` is left to the loop's flush (the bytes
    /// are queued; the flush meets the error and closes the connection), so this never closes the
    /// connection, nor calls its delegate, in the middle of the caller's work. For a message many
    /// connections get in one go (a tick's frame): it saves the queueing, and the first
    /// connection's copy is on its way before the last one's is offered.
    public func writeImmediately(_ buffer: SharedBuffer, range: Range<Int>? = nil) {
        eventLoop.assertInEventLoop()
        guard let range = admitted(buffer, range) else { return }
        var start = range.lowerBound
        if outbound.isEmpty, !wantsWritable, let base = buffer.bytes.baseAddress {
            let written = CLockstep_send(fd, base + start, range.count, Int32(MSG_NOSIGNAL))
            if written > 0 {
                bytesWrittenCounter?.add(UInt64(written))
                start += written
            }
            if start == range.upperBound { return }
        }
        outbound.append(buffer, start: start, end: range.upperBound)
        queued()
    }

    /// Queues bytes `range` of a shared buffer without copying them.
    public func write(_ buffer: SharedBuffer, range: Range<Int>? = nil) {
        eventLoop.assertInEventLoop()
        guard let range = admitted(buffer, range) else { return }
        outbound.append(buffer, start: range.lowerBound, end: range.upperBound)
        queued()
    }

    /// `range` of `buffer` (all of it when nil) when the connection is open, the range lies within
    /// the buffer and the queue's cap admits it; nil (and nothing is sent) otherwise.
    private func admitted(_ buffer: SharedBuffer, _ range: Range<Int>?) -> Range<Int>? {
        let range = range ?? 0..<buffer.count
        guard state == .open, range.lowerBound >= 0, range.upperBound <= buffer.count, admit(range.count) else { return nil }
        return range
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
        settleHeld()
        if isWritable, outbound.queuedBytes > configuration.outboundHighWatermark { setWritable(false) }
        guard !flushScheduled, !wantsWritable else { return }
        flushScheduled = true
        eventLoop.scheduleFlush(self)
    }

    /// Writes what is queued now rather than at the end of the loop turn, for a message whose
    /// latency matters (a tick's frame when several rooms fire in one turn). Does nothing while
    /// the socket is full (the loop flushes on `EPOLLOUT`). Loop thread only; may close the
    /// connection (and call its delegate) when the write fails.
    public func flush() {
        eventLoop.assertInEventLoop()
        guard flushScheduled, !wantsWritable else { return }
        flushNow()
    }

    /// Starts loading this connection's state into the cache (a hint, with no effect but speed;
    /// it reads nothing of the object, so it never waits for it): a room's tick calls it for all
    /// its connections before it reads or writes any of them, so their cache misses overlap
    /// instead of following one another between system calls. `prefetchReadBuffer()` is the
    /// second step, once the object is on its way.
    public func prefetch() {
        Prefetch.object(self)
    }

    /// Starts loading the start of the read buffer, where the next `recv` writes (see `prefetch()`).
    public func prefetchReadBuffer() {
        Prefetch.memory(readBuffer.baseAddress, bytes: 64)
    }

    /// Handles now what a batched wake-up found ready on this socket and deferred until the
    /// wake-up's timers ran (`EventLoop.handleDeferredEvents(fd:)`): a tick reads its players'
    /// input first. Does nothing when nothing is deferred. Loop thread only.
    public func handleDeferredEvents() {
        eventLoop.assertInEventLoop()
        guard state != .closed, !isMoving else { return }
        eventLoop.handleDeferredEvents(fd: fd)
    }

    /// Writes what is queued now (called by the loop at the end of a turn and on `EPOLLOUT`).
    func flushNow() {
        eventLoop.assertInEventLoop()
        flushScheduled = false
        guard state != .closed, !outbound.isEmpty else {
            if state == .lingering { finishLinger() }
            return
        }
        do {
            let drained = try outbound.write(
                fd: fd, iovecs: eventLoop.iovecs, capacity: EventLoop.iovecCapacity, counter: bytesWrittenCounter)
            settleHeld()
            setWantsWritable(!drained)
            if !isWritable, outbound.queuedBytes <= configuration.outboundLowWatermark { setWritable(true) }
            if drained, state == .lingering { finishLinger() }
        } catch {
            closeNow(error: error)
        }
    }

    private func setWantsWritable(_ wants: Bool) {
        guard wants != wantsWritable, state != .closed else { return }
        wantsWritable = wants
        updateInterest()
    }

    /// Records a writability change, tells the delegate, and pauses or resumes reading.
    private func setWritable(_ writable: Bool) {
        _isWritable = writable
        if configuration.pausesReadingWhenUnwritable {
            readingPaused = !writable
            updateInterest()
        }
        delegate?.connection(self, writabilityChanged: writable)
    }

    /// Registers the interest the state calls for: reads unless paused, writes while the socket
    /// is full. A paused connection still hears of a reset or hang-up (epoll always reports
    /// `EPOLLERR`/`EPOLLHUP`), and its idle timers keep running, so a dead peer is still found.
    private func updateInterest() {
        guard state != .closed, !isMoving else { return }
        var interest: EventInterest = readingPaused ? [] : .read
        if wantsWritable { interest.insert(.write) }
        guard interest != registeredInterest else { return }
        registeredInterest = interest
        try? eventLoop.reregister(fd: fd, interest: interest)
    }

    /// Brings the loop's count of held outbound bytes up to date with this queue (a plain
    /// loop-local integer: the budget reads it once per check, not per write).
    private func settleHeld() {
        let queued = outbound.queuedBytes
        guard queued != heldOnLoop else { return }
        eventLoop.outboundHeldBytes += queued - heldOnLoop
        heldOnLoop = queued
    }

    // MARK: Reading

    public func handleEvents(_ events: UInt32) {
        eventLoop.assertInEventLoop()
        // While paused only a hang-up or an error is read for (to find the end), not data.
        let ends = EpollBits.hangup | EpollBits.error
        if events & (readingPaused ? ends : EpollBits.read | ends) != 0 { readNow() }
        if events & EpollBits.write != 0, state != .closed { flushNow() }
    }

    private func readNow() {
        guard state != .closed else { return }
        inputDepth += 1
        defer { inputDeliveryEnded() }
        if state == .lingering {
            discardUntilEOF()
            return
        }
        if writerIndex == readBuffer.count && !makeRoom() {
            // The peer sent more than any acceptable message without the protocol layer
            // consuming it; the delegate's limits should have caught this first.
            closeNow(error: SystemError("read", errno: ENOBUFS))
            return
        }
        let space = readBuffer.count - writerIndex
        let result: IOResult<Int>
        do {
            let target = readBuffer.baseAddress! + writerIndex
            if recordsReceiveTime {
                result = try SystemCall.run("recvmsg") {
                    CLockstep_readTimestamped(fd, target, space, &_lastReceiveRealtime)
                }
            } else {
                // recv, not read: a socket read without the file layer's bookkeeping.
                result = try SystemCall.run("recv") { CLockstep_recv(fd, target, space, 0) }
            }
        } catch {
            closeNow(error: error)
            return
        }
        guard case .processed(let count) = result else { return }
        guard count > 0 else {
            closeNow(error: nil)
            return
        }
        writerIndex += count
        bytesReadCounter?.add(UInt64(count))
        var offered = delegate
        let window = UnsafeMutableRawBufferPointer(rebasing: readBuffer[readerIndex..<writerIndex])
        let consumed = offered?.connection(self, didRead: window) ?? window.count
        guard state != .closed else { return }
        readerIndex += min(max(consumed, 0), window.count)
        // A delegate replaced during the call (an HTTP upgrade) is offered the rest at once.
        while state == .open, readerIndex < writerIndex, let current = delegate, current !== offered {
            offered = current
            processBufferedInput()
        }
        if readerIndex == writerIndex {
            readerIndex = 0
            writerIndex = 0
            shrinkIfLarge()
        }
    }

    /// Compacts or grows the buffer; returns `false` at the limit.
    private func makeRoom() -> Bool {
        if readerIndex > 0 {
            let live = writerIndex - readerIndex
            readBuffer.baseAddress!.copyMemory(from: readBuffer.baseAddress! + readerIndex, byteCount: live)
            readerIndex = 0
            writerIndex = live
            return true
        }
        guard readBuffer.count < configuration.maxReadBufferSize else { return false }
        let grown = UnsafeMutableRawBufferPointer.allocate(
            byteCount: min(configuration.maxReadBufferSize, readBuffer.count * 2), alignment: 16)
        grown.baseAddress!.copyMemory(from: readBuffer.baseAddress!, byteCount: writerIndex)
        readBuffer.deallocate()
        readBuffer = grown
        return true
    }

    private func shrinkIfLarge() {
        guard readBuffer.count > 4 * configuration.initialReadBufferSize, readerIndex == writerIndex else { return }
        readBuffer.deallocate()
        readBuffer = .allocate(byteCount: configuration.initialReadBufferSize, alignment: 16)
    }

    /// Ensures the read buffer can hold `count` bytes in total (for a frame whose header announced its size).
    public func reserveReadCapacity(_ count: Int) {
        eventLoop.assertInEventLoop()
        guard count > readBuffer.count, count <= configuration.maxReadBufferSize else { return }
        let grown = UnsafeMutableRawBufferPointer.allocate(byteCount: count, alignment: 16)
        let live = writerIndex - readerIndex
        grown.baseAddress!.copyMemory(from: readBuffer.baseAddress! + readerIndex, byteCount: live)
        readBuffer.deallocate()
        readBuffer = grown
        readerIndex = 0
        writerIndex = live
    }

    private func discardUntilEOF() {
        while true {
            let result = try? SystemCall.run("read") { Glibc.read(fd, readBuffer.baseAddress!, readBuffer.count) }
            switch result {
            case .processed(let count) where count > 0:
                lingerDiscarded += count
                guard lingerDiscarded > configuration.lingerDiscardLimit else { continue }
                closeNow(error: nil)
                return
            case .wouldBlock: return
            default:
                closeNow(error: nil)
                return
            }
        }
    }

    // MARK: Closing

    /// Flushes what is queued, half-closes, waits for the peer's FIN (at most `lingerTimeout`), then closes.
    ///
    /// This is the clean way to end a WebSocket after a close frame: the peer receives every byte
    /// (closing with unread input would send a reset and could destroy the close frame).
    public func closeAfterFlush() {
        eventLoop.assertInEventLoop()
        guard state == .open else { return }
        state = .lingering
        let deadline = eventLoop.now + configuration.lingerTimeout
        lingerTimer = eventLoop.scheduleTimer(at: deadline) { [weak self] _ in self?.closeNow(error: nil) }
        if outbound.isEmpty { finishLinger() } else if !flushScheduled && !wantsWritable {
            flushScheduled = true
            eventLoop.scheduleFlush(self)
        }
    }

    private func finishLinger() {
        _ = Glibc.shutdown(fd, Int32(SHUT_WR))
    }

    /// Closes the socket at once, dropping anything queued, and tells the delegate.
    public func close() {
        eventLoop.assertInEventLoop()
        closeNow(error: nil)
    }

    private func closeNow(error: SystemError?) {
        guard state != .closed else { return }
        state = .closed
        if let lingerTimer { eventLoop.cancelTimer(lingerTimer) }
        eventLoop.deregister(fd: fd)
        SystemCall.close(fd)
        outbound.reset(releasingStorage: true)
        settleHeld()
        if inputDepth == 0 {
            // Free a grown read buffer now (not while a delegate may still hold bytes from it).
            readerIndex = 0
            writerIndex = 0
            shrinkIfLarge()
        }
        let delegate = self.delegate
        self.delegate = nil
        delegate?.connectionDidClose(self, error: error)
    }

    public func eventLoopDidStop() {
        eventLoop.assertInEventLoop()
        closeNow(error: nil)
    }

    /// Closes the connection because the process holds more outbound bytes than its budget and
    /// this one holds the most: the delegate decides how (and logs); it is closed regardless.
    func closeForOutboundBudget() {
        eventLoop.assertInEventLoop()
        guard state != .closed else { return }
        delegate?.connectionOutboundBudgetExceeded(self)
        closeNow(error: nil)
    }

    // MARK: Moving

    /// Moves the connection to `target` (loop thread of the current loop only).
    ///
    /// The socket leaves this loop's epoll set now; on `target`'s thread it is registered again,
    /// queued bytes are flushed, and `then` runs there, where the delegate should reschedule any
    /// timers it had on the old loop. No event is lost: level-triggered epoll reports pending
    /// input again on the new loop.
    public func move(to target: EventLoop, then: @escaping @Sendable (TCPConnection) -> Void) {
        eventLoop.assertInEventLoop()
        guard state == .open, target !== eventLoop else {
            then(self)
            return
        }
        _isMoving = true
        if inputDepth > 0 {
            // Called from the delegate while input is being delivered: this thread still has
            // read bookkeeping to do, so hand the connection over when delivery returns.
            pendingMove = (target, then)
            return
        }
        performMove(to: target, then: then)
    }

    /// Finishes one level of input delivery; at the outermost level, performs a pending move.
    private func inputDeliveryEnded() {
        inputDepth -= 1
        guard inputDepth == 0, let move = pendingMove else { return }
        pendingMove = nil
        guard state == .open else {
            _isMoving = false
            return
        }
        performMove(to: move.target, then: move.then)
    }

    private func performMove(to target: EventLoop, then: @escaping @Sendable (TCPConnection) -> Void) {
        eventLoop.deregister(fd: fd)
        eventLoop.cancelFlush(self)
        if let lingerTimer { eventLoop.cancelTimer(lingerTimer) }
        let hadQueued = !outbound.isEmpty
        flushScheduled = false
        wantsWritable = false
        eventLoop.outboundHeldBytes -= heldOnLoop
        heldOnLoop = 0
        target.execute { [self] in
            target.assertInEventLoop()
            _eventLoop = target
            _isMoving = false
            settleHeld()
            let interest: EventInterest = readingPaused ? [] : .read
            do throws(SystemError) {
                try eventLoop.register(fd: fd, interest: interest, self)
                registeredInterest = interest
            } catch {
                closeNow(error: error)
                return
            }
            if hadQueued {
                flushScheduled = true
                eventLoop.scheduleFlush(self)
            }
            then(self)
            // Input read on the old loop but not yet consumed is offered again here.
            processBufferedInput()
        }
    }

    /// Offers the unconsumed bytes of the read buffer to the delegate again (loop thread only).
    ///
    /// For a delegate that stopped consuming (to wait for an asynchronous answer, or because it
    /// moved the connection) and is ready to continue: epoll will not report those bytes again.
    public func processBufferedInput() {
        eventLoop.assertInEventLoop()
        guard state == .open, !isMoving, readerIndex < writerIndex, let delegate else { return }
        inputDepth += 1
        defer { inputDeliveryEnded() }
        let window = UnsafeMutableRawBufferPointer(rebasing: readBuffer[readerIndex..<writerIndex])
        let consumed = delegate.connection(self, didRead: window)
        guard state != .closed else { return }
        readerIndex += min(max(consumed, 0), window.count)
        if readerIndex == writerIndex {
            readerIndex = 0
            writerIndex = 0
        }
    }
}
