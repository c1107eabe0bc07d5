import CLockstepSystem
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// One thread running level-triggered epoll over non-blocking sockets, timers and a task queue.
///
/// **Confinement.** Everything an `EventLoop` owns (registrations, timers, connections, their
/// buffers) is touched only on its own thread. That is why the class is `@unchecked Sendable`:
/// the compiler cannot see the confinement, the code keeps it. Methods documented "loop thread
/// only" must be called from a callback of this loop (`inEventLoop` is true there); each checks
/// it with `assertInEventLoop()` in debug builds (see `EventLoop+Confinement.swift`).
///
/// **The entry point from other threads** is `execute(_:)`: it queues a closure and wakes the
/// loop through an eventfd; the closure then runs on the loop thread. Nothing else may be called
/// from another thread, except `stop()`, `inEventLoop` and `metrics`.
///
/// The turn itself (wait, dispatch, timers, tasks, flushes) is in `EventLoop+Run.swift`.
public final class EventLoop: @unchecked Sendable, CustomStringConvertible {
    struct Registration {
        var generation: UInt32
        var selectable: EventLoopSelectable
        /// The selectable's address, for a cache hint without a retain (`Prefetch`).
        var address: UnsafeMutableRawPointer
        /// Events a batched wake-up found ready and has not handled yet (`handleDeferredEvents`).
        var deferredEvents: UInt32 = 0
    }

    struct Inbox {
        var tasks: [@Sendable () -> Void] = []
        var stopRequested = false
    }

    /// The loop's position in its group (0-based), for logs and metrics.
    public let index: Int
    /// Counters of this loop, readable from any thread.
    public let metrics = LoopMetrics()
    /// The time of the latest wake-up: a cheap clock for code running on the loop (loop thread only).
    @inlinable public var now: MonotonicInstant { _now }
    // Behind an inlinable getter: `@exclusivity(unchecked)` holds only for accesses compiled in
    // this module, and every room call and every message in other modules reads the time.
    @usableFromInline @exclusivity(unchecked) var _now: MonotonicInstant

    let epollFD: Int32
    let wakeFD: Int32
    /// How this loop groups its wake-ups.
    public let wakeups: WakeupPolicy
    @exclusivity(unchecked) var registrations: [Registration?] = []
    @exclusivity(unchecked) var nextGeneration: UInt32 = 1
    @exclusivity(unchecked) var events: UnsafeMutablePointer<epoll_event>
    @exclusivity(unchecked) var eventCapacity = 256
    @exclusivity(unchecked) var timers = TimerHeap()
    let inbox = Mutex(Inbox())
    let wakeupPending = Atomic<Bool>(false)
    @exclusivity(unchecked) var runningTasks: [@Sendable () -> Void] = []
    @exclusivity(unchecked) var flushQueue: [TCPConnection?] = []
    /// How many registrations hold deferred events: a batched wake-up's events wait until its
    /// due timers have run (each timer may take its own descriptors' first).
    @exclusivity(unchecked) var deferredCount = 0
    /// Whether `flushPending` is walking `flushQueue` (it does not nest).
    @exclusivity(unchecked) var isFlushing = false
    @exclusivity(unchecked) var thread: ThreadHandle?
    /// Who owns the loop: the `pthread_t` of the thread inside `run()`; `startingThread` between
    /// `start()` and `run()`; 0 before `start()` and after `run()` returns.
    let runningThread = Atomic<UInt>(0)
    /// `runningThread` while the loop's thread is being created (no real `pthread_t`).
    static let startingThread = UInt.max
    @exclusivity(unchecked) var running = true
    /// Bytes queued in the outbound queues of this loop's connections (loop thread only; an
    /// `OutboundBudget` publishes it).
    @exclusivity(unchecked) var outboundHeldBytes = 0
    /// Scratch iovecs for `sendmsg`, shared by the loop's connections (one write at a time).
    let iovecs: UnsafeMutablePointer<iovec>
    static let iovecCapacity = 1024

    /// Creates the loop's epoll set and eventfd; `start()` runs it. Timers are the epoll wait's
    /// own timeout (`epoll_pwait2`, nanoseconds), grouped as `wakeups` says.
    public init(index: Int = 0, wakeups: WakeupPolicy = .immediate) throws(SystemError) {
        self.index = index
        self.wakeups = wakeups
        _now = .now()
        epollFD = try SystemCall.checked("epoll_create1") { epoll_create1(CLockstep_EPOLL_CLOEXEC) }
        wakeFD = try SystemCall.checked("eventfd") { eventfd(0, CLockstep_EFD_NONBLOCK | CLockstep_EFD_CLOEXEC) }
        events = .allocate(capacity: eventCapacity)
        iovecs = .allocate(capacity: Self.iovecCapacity)
        // Internal descriptors carry generation 0, which user registrations never get.
        try addInternal(wakeFD)
    }

    deinit {
        SystemCall.close(epollFD)
        SystemCall.close(wakeFD)
        events.deallocate()
        iovecs.deallocate()
    }

    public var description: String { "loop\(index)" }

    /// Starts the loop's thread.
    public func start() throws(SystemError) {
        // From here the loop's thread owns the loop, even before it enters `run()`.
        runningThread.store(Self.startingThread, ordering: .releasing)
        do {
            thread = try ThreadHandle(name: "lockstep-loop\(index)") { [self] in run() }
        } catch {
            runningThread.store(0, ordering: .releasing)
            throw error
        }
    }

    /// Whether the calling thread is this loop's thread (false before `start()` and after the loop exits).
    public var inEventLoop: Bool {
        let owner = runningThread.load(ordering: .acquiring)
        return owner != 0 && owner != Self.startingThread && pthread_equal(owner, pthread_self()) != 0
    }

    // MARK: Cross-thread entry point

    /// Runs `task` on the loop's thread, soon. Safe from any thread; the one way in from outside.
    ///
    /// Tasks run in the order they were queued. A task queued after `stop()` is dropped.
    public func execute(_ task: @escaping @Sendable () -> Void) {
        let accepted = inbox.withLock { inbox -> Bool in
            guard !inbox.stopRequested else { return false }
            inbox.tasks.append(task)
            return true
        }
        if accepted { wake() }
    }

    /// Asks the loop to finish its current turn and exit; `join()` waits for it. Safe from any thread.
    public func stop() {
        inbox.withLock { $0.stopRequested = true }
        wake()
    }

    /// Waits for the loop's thread to exit (never call it from the loop itself).
    public func join() {
        thread?.join()
    }

    private func wake() {
        // One eventfd write per batch of tasks: later `execute` calls see the flag and skip it.
        guard !wakeupPending.exchange(true, ordering: .acquiringAndReleasing) else { return }
        var one: UInt64 = 1
        _ = try? SystemCall.run("write") { Glibc.write(wakeFD, &one, 8) }
    }

    // MARK: Registrations (loop thread only)

    /// Adds `fd` to the epoll set with `interest`, routing its events to `selectable`.
    ///
    /// The registration's generation goes into `epoll_data` with the fd, so an event still
    /// queued for a closed descriptor whose number was reused is recognised and dropped.
    public func register(fd: Int32, interest: EventInterest, _ selectable: EventLoopSelectable) throws(SystemError) {
        assertInEventLoop()
        let generation = nextGeneration
        nextGeneration = nextGeneration == .max ? 1 : nextGeneration + 1
        var event = epoll_event()
        event.events = interest.rawValue
        event.data.u64 = UInt64(generation) << 32 | UInt64(UInt32(bitPattern: fd))
        _ = try SystemCall.checked("epoll_ctl") { epoll_ctl(epollFD, EPOLL_CTL_ADD, fd, &event) }
        let slot = Int(fd)
        if slot >= registrations.count {
            registrations.append(contentsOf: repeatElement(nil, count: slot - registrations.count + 1))
        }
        registrations[slot] = Registration(
            generation: generation, selectable: selectable, address: Unmanaged.passUnretained(selectable as AnyObject).toOpaque())
    }

    /// Changes the interest of a registered `fd`.
    public func reregister(fd: Int32, interest: EventInterest) throws(SystemError) {
        assertInEventLoop()
        guard Int(fd) < registrations.count, let registration = registrations[Int(fd)] else { return }
        var event = epoll_event()
        event.events = interest.rawValue
        event.data.u64 = UInt64(registration.generation) << 32 | UInt64(UInt32(bitPattern: fd))
        _ = try SystemCall.checked("epoll_ctl") { epoll_ctl(epollFD, EPOLL_CTL_MOD, fd, &event) }
    }

    /// Removes `fd` from the epoll set; call before closing it or handing it to another loop.
    public func deregister(fd: Int32) {
        assertInEventLoop()
        guard Int(fd) < registrations.count, registrations[Int(fd)] != nil else { return }
        registrations[Int(fd)] = nil
        var event = epoll_event()
        _ = epoll_ctl(epollFD, EPOLL_CTL_DEL, fd, &event)
    }

    // MARK: Batched wake-ups (loop thread only)

    /// Whether this turn's events wait for its timers: true from a batched wake-up (the loop
    /// slept through its `WakeupPolicy.batchWindowNanoseconds` and polled once) until its due
    /// timers have run. A timer's handler then takes its own descriptors' events first with
    /// `handleDeferredEvents(fd:)`; the loop handles the rest after the timers.
    public var hasDeferredEvents: Bool {
        assertInEventLoop()
        return deferredCount > 0
    }

    /// Handles now the events this turn's batched wake-up found ready on `fd`, if they are still
    /// waiting (see `hasDeferredEvents`): a room about to tick reads the input its players sent
    /// before the wake-up, so it counts for the tick, while other rooms' input waits until the
    /// due ticks are out. Does nothing when none are deferred.
    public func handleDeferredEvents(fd: Int32) {
        assertInEventLoop()
        guard deferredCount > 0, Int(fd) >= 0, Int(fd) < registrations.count else { return }
        takeDeferredEvents(slot: Int(fd))
    }

    // MARK: Timers (loop thread only)

    /// Runs `handler` once at `deadline` (or as soon as possible after it).
    @discardableResult
    public func scheduleTimer(at deadline: MonotonicInstant, _ handler: @escaping (TimerFiring) -> Void) -> TimerHandle {
        assertInEventLoop()
        return timers.schedule(deadline: deadline.nanoseconds, interval: 0, handler: handler)
    }

    /// Runs `handler` at `first`, `first + interval`, `first + 2 × interval`… on an absolute
    /// schedule: lateness never accumulates. Firings the loop was too late for are skipped and
    /// counted in `TimerFiring.missedIntervals`. Cancel with `cancelTimer(_:)`.
    @discardableResult
    public func scheduleRepeatingTimer(
        first: MonotonicInstant, interval: Duration, _ handler: @escaping (TimerFiring) -> Void
    ) -> TimerHandle {
        assertInEventLoop()
        let nanoseconds = UInt64(max(1, interval.nanosecondsClamped))
        return timers.schedule(deadline: first.nanoseconds, interval: nanoseconds, handler: handler)
    }

    /// Cancels a timer; cancelling one that fired or was cancelled does nothing.
    public func cancelTimer(_ handle: TimerHandle) {
        assertInEventLoop()
        timers.cancel(handle)
    }

    /// Whether `handle` is still scheduled.
    public func isTimerScheduled(_ handle: TimerHandle) -> Bool {
        assertInEventLoop()
        return timers.isScheduled(handle)
    }

    /// The number of live timers on this loop.
    public var timerCount: Int {
        assertInEventLoop()
        return timers.liveCount
    }

    // MARK: Writes (loop thread only)

    /// Writes every connection's queued bytes now instead of at the end of the loop turn: for
    /// messages whose latency matters, such as a tick's frames when several rooms fire in one
    /// turn (each room's players then wait for the rooms fired before it, not for all of them).
    /// A failed write closes its connection (and calls its delegate) before this returns.
    public func flushQueuedWrites() {
        assertInEventLoop()
        flushPending()
    }

    /// Queues `connection` to be flushed at the end of this loop turn (one write for the turn).
    func scheduleFlush(_ connection: TCPConnection) {
        assertInEventLoop()
        flushQueue.append(connection)
    }

    /// The registered connections whose outbound queues hold bytes (for an `OutboundBudget` over its limit).
    func connectionsHoldingOutbound() -> [TCPConnection] {
        assertInEventLoop()
        return registrations.compactMap { registration in
            guard let connection = registration?.selectable as? TCPConnection else { return nil }
            return connection.queuedBytes > 0 ? connection : nil
        }
    }

    /// Forgets a scheduled flush of `connection` (it is leaving this loop). Entries become
    /// tombstones, so a flush pass in progress never skips another connection.
    func cancelFlush(_ connection: TCPConnection) {
        assertInEventLoop()
        for index in flushQueue.indices where flushQueue[index] === connection {
            flushQueue[index] = nil
        }
    }
}
