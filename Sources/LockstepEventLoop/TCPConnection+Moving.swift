extension TCPConnection {
    /// Moves the connection to `target` (loop thread of the current loop only).
    ///
    /// The socket leaves this loop's epoll set now; on `target`'s thread it is registered again,
    /// queued bytes are flushed, and `then` runs there, where the delegate should reschedule any
    /// timers it had on the old loop. No event is lost: level-triggered epoll reports pending
    /// input again on the new loop.
    public func move(to target: EventLoop, then: @escaping @Sendable (TCPConnection) -> Void) {
        guard state == .open, target !== eventLoop else {
            then(self)
            return
        }
        state = .moving
        eventLoop.deregister(fd: fd)
        eventLoop.cancelFlush(self)
        if let lingerTimer { eventLoop.cancelTimer(lingerTimer) }
        // No flush on the old loop; writes queued meanwhile go out on the new one.
        flushScheduled = true
        wantsWritable = false
        // Hand over only after the callbacks running now on the old loop have returned (they may
        // still queue writes or update the read position), then continue on the target.
        eventLoop.execute { [self] in
            target.execute { [self] in arrive(on: target, then: then) }
        }
    }

    private func arrive(on target: EventLoop, then: (TCPConnection) -> Void) {
        guard state == .moving else { return }  // closed before the handover
        eventLoop = target
        state = .open
        flushScheduled = false
        do throws(SystemError) {
            try eventLoop.register(fd: fd, interest: .read, self)
        } catch {
            closeNow(error: error)
            return
        }
        if !outbound.isEmpty {
            flushScheduled = true
            eventLoop.scheduleFlush(self)
        }
        then(self)
        // Input read on the old loop but not yet consumed is offered again here.
        processBufferedInput()
    }

    /// Offers the unconsumed bytes of the read buffer to the delegate again (loop thread only).
    ///
    /// For a delegate that stopped consuming (to wait for an asynchronous answer, or because it
    /// moved the connection) and is ready to continue: epoll will not report those bytes again.
    public func processBufferedInput() {
        guard state == .open, readerIndex < writerIndex, let delegate else { return }
        let window = UnsafeMutableRawBufferPointer(rebasing: readBuffer[readerIndex..<writerIndex])
        let consumed = delegate.connection(self, didRead: window)
        guard state != .closed else { return }
        readerIndex += min(max(consumed, 0), window.count)
        if readerIndex == writerIndex, state == .open {
            readerIndex = 0
            writerIndex = 0
        }
    }
}
