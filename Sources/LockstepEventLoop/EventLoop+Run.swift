import CLockstepSystem

#if canImport(Glibc)
import Glibc
#endif

extension EventLoop {
    func addInternal(_ fd: Int32) throws(SystemError) {
        var event = epoll_event()
        event.events = EpollBits.read
        event.data.u64 = UInt64(UInt32(bitPattern: fd))
        _ = try SystemCall.checked("epoll_ctl") { epoll_ctl(epollFD, EPOLL_CTL_ADD, fd, &event) }
    }

    func run() {
        runningThread.store(pthread_self(), ordering: .releasing)
        defer { runningThread.store(0, ordering: .releasing) }
        // Timer deadlines are the wait's timeout: 1 µs of slack instead of the default 50 µs.
        _ = CLockstep_setTimerSlack(1_000)
        while running {
            let (count, batched) = waitForEvents()
            _now = .now()
            metrics.iterations.addAsSoleWriter()
            if count < 0 { continue }  // EINTR: go round again
            if batched {
                // The timers this wake-up is for go first; each may take its own descriptors'
                // events before it fires (`handleDeferredEvents`); the rest are handled after.
                for index in 0..<Int(count) { deferEvent(events[index]) }
                runDueTimers()
                for index in 0..<Int(count) { dispatchDeferred(events[index]) }
                deferredCount = 0
            } else {
                // The sockets that are ready were last touched a tick ago: start loading them all
                // before handling the first (see `Prefetch`).
                for index in 0..<Int(count) { prefetchTarget(of: events[index]) }
                for index in 0..<Int(count) { dispatch(events[index]) }
                runDueTimers()
            }
            if Int(count) == eventCapacity { growEvents() }
            runTasks()
            flushPending()
        }
        shutDownRegistrations()
    }

    // The selectable is copied out of its registration (retained) only to call it: a handler
    // may deregister, and so release, the selectable it runs on. Marking an event deferred
    // touches only the registration's plain fields.

    private func dispatch(_ event: epoll_event) {
        guard let slot = registrationSlot(for: event), let selectable = registrations[slot]?.selectable else { return }
        selectable.handleEvents(event.events)
    }

    /// Starts loading the object an event is for (a cache hint; an internal descriptor's event
    /// is left for `dispatch`, which drains it).
    private func prefetchTarget(of event: epoll_event) {
        guard let slot = registrationSlot(for: event, drainingInternal: false), let address = registrations[slot]?.address
        else { return }
        Prefetch.memory(address, bytes: 256)
    }

    /// Marks the event's registration as holding deferred events (a batched wake-up).
    private func deferEvent(_ event: epoll_event) {
        guard let slot = registrationSlot(for: event), registrations[slot]?.deferredEvents == 0 else { return }
        registrations[slot]?.deferredEvents = event.events
        deferredCount += 1
    }

    /// Handles a deferred event unless a timer took it (`handleDeferredEvents`) or its
    /// descriptor was deregistered meanwhile (a new registration starts with none deferred).
    private func dispatchDeferred(_ event: epoll_event) {
        // The eventfd was drained when the event was deferred: not read twice.
        guard let slot = registrationSlot(for: event, drainingInternal: false) else { return }
        takeDeferredEvents(slot: slot)
    }

    /// Handles the events deferred on the registration at `slot`, if any.
    func takeDeferredEvents(slot: Int) {
        guard let deferred = registrations[slot]?.deferredEvents, deferred != 0,
            let selectable = registrations[slot]?.selectable
        else { return }
        registrations[slot]?.deferredEvents = 0
        deferredCount -= 1
        selectable.handleEvents(deferred)
    }

    /// The index in `registrations` of the live registration an event is for, or nil for an
    /// internal descriptor (the eventfd, drained here: its work is done after the events) or a
    /// stale event (the fd was closed, and maybe reused, after epoll queued it).
    @inline(__always)
    private func registrationSlot(for event: epoll_event, drainingInternal: Bool = true) -> Int? {
        let data = event.data.u64
        let fd = Int32(bitPattern: UInt32(truncatingIfNeeded: data))
        let generation = UInt32(truncatingIfNeeded: data >> 32)
        if generation == 0 {
            guard drainingInternal else { return nil }
            var counter: UInt64 = 0
            _ = Glibc.read(fd, &counter, 8)
            if fd == wakeFD { wakeupPending.store(false, ordering: .releasing) }
            return nil
        }
        guard Int(fd) < registrations.count, registrations[Int(fd)]?.generation == generation else { return nil }
        return Int(fd)
    }

    private func growEvents() {
        events.deallocate()
        eventCapacity *= 2
        events = .allocate(capacity: eventCapacity)
    }

    private func runDueTimers() {
        var fired = 0
        // Bound the batch so a handler that schedules an already-due timer cannot starve I/O.
        while fired < 4096, let (handler, firing) = timers.popDue(now: MonotonicInstant.now().nanoseconds) {
            metrics.recordTimer(latenessNanoseconds: firing.latenessNanoseconds)
            handler(firing)
            fired += 1
        }
    }

    private func runTasks() {
        let stop = inbox.withLock { inbox -> Bool in
            swap(&inbox.tasks, &runningTasks)
            return inbox.stopRequested
        }
        for task in runningTasks { task() }
        runningTasks.removeAll(keepingCapacity: true)
        if stop { running = false }
    }

    func flushPending() {
        // A flush that fails closes its connection, whose delegate may write (and flush) again:
        // the outer pass picks up what that queues.
        guard !isFlushing else { return }
        isFlushing = true
        var index = 0
        // Flushing may queue more flushes (a close frame after an error): walk until done.
        while index < flushQueue.count {
            flushQueue[index]?.flushNow()
            index += 1
        }
        flushQueue.removeAll(keepingCapacity: true)
        isFlushing = false
    }

    /// Waits for the next wake-up: events, or the timers' target instant (`WakeupPolicy`).
    /// `batched` when the loop slept through the batch window and polled once.
    private func waitForEvents() -> (count: Int32, batched: Bool) {
        let capacity = Int32(eventCapacity)
        guard let earliest = timers.nextDeadline() else {
            return (CLockstep_epollWaitUntil(epollFD, events, capacity, 0, 1), false)
        }
        var target = earliest
        if wakeups.tickWindowNanoseconds > 0 {
            target = timers.latestDeadline(from: earliest, notAfter: earliest &+ wakeups.tickWindowNanoseconds)
        }
        let current = MonotonicInstant.now().nanoseconds
        if target > current, target - current <= wakeups.batchWindowNanoseconds {
            // Close enough: sleep through the gap, then take everything that became ready at once.
            _ = CLockstep_sleepUntil(target)
            return (CLockstep_epollWaitUntil(epollFD, events, capacity, 0, 0), true)
        }
        return (CLockstep_epollWaitUntil(epollFD, events, capacity, max(target, 1), 1), false)
    }

    private func shutDownRegistrations() {
        let remaining = registrations.compactMap { $0?.selectable }
        for selectable in remaining { selectable.eventLoopDidStop() }
        registrations.removeAll()
        flushQueue.removeAll()
        runningTasks.removeAll()
        inbox.withLock { $0.tasks.removeAll() }
    }
}
