import Synchronization
import Testing

@testable import LockstepEventLoop

#if canImport(Glibc)
    import Glibc
#endif

/// Echoes what it reads and records the largest outbound queue it ever saw.
private final class QueueWatchingEcho: TCPConnectionDelegate, @unchecked Sendable {
    let maxQueued = Atomic<Int>(0)
    let echoed = Atomic<Int>(0)
    let overflowed = Atomic<Bool>(false)
    let closed = Collector<Bool>()

    func connection(_ connection: TCPConnection, didRead bytes: UnsafeMutableRawBufferPointer) -> Int {
        connection.write(UnsafeRawBufferPointer(bytes))
        echoed.add(bytes.count, ordering: .relaxed)
        if connection.queuedBytes > maxQueued.load(ordering: .relaxed) {
            maxQueued.store(connection.queuedBytes, ordering: .relaxed)
        }
        return bytes.count
    }

    func connection(_ connection: TCPConnection, writabilityChanged isWritable: Bool) {}

    func connectionOutboundOverflow(_ connection: TCPConnection) {
        overflowed.store(true, ordering: .relaxed)
        connection.close()
    }

    func connectionDidClose(_ connection: TCPConnection, error: SystemError?) {
        closed.append(true)
    }
}

@Suite struct BackpressureTests {
    /// An echo server with backpressure, watermarks 64/16 KiB and a 4 MiB cap, and a raw client
    /// socket with small buffers that the test reads only when it chooses to.
    private static func echoPair(loop: EventLoop, delegate: QueueWatchingEcho) throws -> (TCPConnection, Int32)? {
        var configuration = TCPConnectionConfiguration()
        configuration.pausesReadingWhenUnwritable = true
        configuration.outboundHighWatermark = 64 * 1024
        configuration.outboundLowWatermark = 16 * 1024
        configuration.outboundCap = 4 * 1024 * 1024
        let server = TestServer(loop: loop, configuration: configuration) { delegate }
        guard let fd = smallBufferedClient(port: server.port) else { return nil }
        guard server.accepted.wait(until: { $0.count == 1 }) else {
            SystemCall.close(fd)
            return nil
        }
        return (server.accepted.snapshot[0], fd)
    }

    /// Sends without reading until the socket stays full for 300 ms (or 64 MiB went out).
    private static func sendUntilStalled(_ fd: Int32) -> Int {
        let chunk = [UInt8](repeating: 0x42, count: 16 * 1024)
        var sent = 0
        var lastProgress = MonotonicInstant.now()
        while sent < 64 << 20, MonotonicInstant.now() < lastProgress + .milliseconds(300) {
            var entry = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            guard poll(&entry, 1, 50) > 0 else { continue }
            let written = chunk.withUnsafeBytes {
                send(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT | MSG_NOSIGNAL))
            }
            if written > 0 {
                sent += written
                lastProgress = MonotonicInstant.now()
            } else if written < 0, errno != EAGAIN, errno != EINTR {
                break
            }
        }
        return sent
    }

    @Test func aConnectionOverItsHighWatermarkIsNotReadUntilItDrains() throws {
        let group = try EventLoopGroup(count: 1)
        defer { group.shutdown() }
        let delegate = QueueWatchingEcho()
        let (_, fd) = try #require(try Self.echoPair(loop: group.loops[0], delegate: delegate))
        defer { SystemCall.close(fd) }
        let sent = Self.sendUntilStalled(fd)
        // The server stopped reading: it holds at most the watermark plus one read's echo, and
        // the peer is never cut off as a slow reader (without backpressure it passes the 4 MiB cap).
        #expect(sent < 64 << 20)
        let maxQueued = delegate.maxQueued.load(ordering: .relaxed)
        let overflowed = delegate.overflowed.load(ordering: .relaxed)
        #expect(maxQueued <= 64 * 1024 + 64 * 1024)
        #expect(!overflowed)
        #expect(delegate.closed.snapshot.isEmpty)
        // Reading drains the queue, the server reads again, and every byte comes back.
        var received = 0
        var buffer = [UInt8](repeating: 0, count: 65536)
        let deadline = MonotonicInstant.now() + .seconds(10)
        while received < sent, MonotonicInstant.now() < deadline {
            var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&entry, 1, 100) > 0 else { continue }
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if count > 0 { received += count }
        }
        #expect(received == sent)
        let echoed = delegate.echoed.load(ordering: .relaxed)
        #expect(echoed == sent)
    }

    @Test func aPausedConnectionStillNoticesItsPeerResetting() throws {
        let group = try EventLoopGroup(count: 1)
        defer { group.shutdown() }
        let delegate = QueueWatchingEcho()
        let (_, fd) = try #require(try Self.echoPair(loop: group.loops[0], delegate: delegate))
        _ = Self.sendUntilStalled(fd)
        // Closing with unread data sends a reset: the paused connection must still close.
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        SystemCall.close(fd)
        #expect(delegate.closed.wait { !$0.isEmpty })
    }

    @Test func loweredOutboundLimitsApplyAtOnce() throws {
        let group = try EventLoopGroup(count: 1)
        defer { group.shutdown() }
        let loop = group.loops[0]
        let delegate = RecordingDelegate()
        let server = TestServer(loop: loop) { delegate }
        let fd = try Socket.connect(host: "127.0.0.1", port: server.port)
        defer { SystemCall.close(fd) }
        #expect(server.accepted.wait { $0.count == 1 })
        let connection = server.accepted.snapshot[0]
        let results = Collector<String>()
        loop.execute {
            let invalid = OutboundLimits(highWatermark: 10, lowWatermark: 20, cap: 30)
            results.append((try? connection.setOutboundLimits(invalid)) == nil ? "refused" : "accepted")
            try? connection.setOutboundLimits(OutboundLimits(highWatermark: 1024, lowWatermark: 256, cap: 4096))
            // A write past the new cap is refused: the peer is a slow reader at 4 KiB, not 8 MiB.
            connection.write(SharedBuffer([UInt8](repeating: 1, count: 8192)))
            results.append(connection.configuration.outboundCap == 4096 ? "cap" : "no cap")
        }
        #expect(results.wait { $0.count == 2 })
        #expect(results.snapshot == ["refused", "cap"])
        #expect(delegate.overflowed.wait { !$0.isEmpty })
    }
}
