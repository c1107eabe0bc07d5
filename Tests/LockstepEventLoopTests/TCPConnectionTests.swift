#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import LockstepEventLoop

@Suite struct TCPConnectionTests {
    @Test func bytesEchoOverLoopbackAcrossTwoLoops() throws {
        let group = try EventLoopGroup(count: 2)
        defer { group.shutdown() }
        let server = TestServer(loop: group.loops[0]) { RecordingDelegate(echo: true) }
        let client = RecordingDelegate()
        let connection = try #require(connectClient(loop: group.loops[1], port: server.port, delegate: client))
        let message = (0..<100_000).map { UInt8(truncatingIfNeeded: $0) }
        group.loops[1].execute {
            // Many small writes in one turn go out coalesced.
            message.withUnsafeBytes { bytes in
                var offset = 0
                while offset < bytes.count {
                    let end = min(bytes.count, offset + 1000)
                    connection.write(UnsafeRawBufferPointer(rebasing: bytes[offset..<end]))
                    offset = end
                }
            }
        }
        #expect(client.received.wait { $0.joined().count >= message.count })
        #expect(Array(client.received.snapshot.joined()) == message)
    }

    @Test func oneSharedBufferReachesManyConnectionsUncopied() throws {
        let group = try EventLoopGroup(count: 1)
        defer { group.shutdown() }
        let loop = group.loops[0]
        let server = TestServer(loop: loop) { RecordingDelegate() }
        let clients = (0..<20).map { _ in RecordingDelegate() }
        for client in clients { _ = connectClient(loop: loop, port: server.port, delegate: client) }
        #expect(server.accepted.wait { $0.count == 20 })
        let shared = SharedBuffer(Array("tick 42".utf8))
        let accepted = server.accepted.snapshot
        loop.execute { for connection in accepted { connection.write(shared) } }
        for client in clients {
            #expect(client.received.wait { $0.joined().count >= 7 })
            #expect(Array(client.received.snapshot.joined()) == Array("tick 42".utf8))
        }
    }

    @Test func slowReaderOverflowsItsCapAndIsClosedWithoutUnboundedMemory() throws {
        let group = try EventLoopGroup(count: 1)
        defer { group.shutdown() }
        let loop = group.loops[0]
        let serverDelegate = RecordingDelegate()
        let (connection, fd) = try #require(try unreadConnection(loop: loop, cap: 256 * 1024, delegate: serverDelegate))
        defer { SystemCall.close(fd) }
        let chunk = SharedBuffer([UInt8](repeating: 7, count: 64 * 1024))
        let maxQueued = Collector<Int>()
        @Sendable func pump(_ round: Int) {
            guard connection.isOpen, round < 10_000 else { return }
            connection.write(chunk)
            maxQueued.append(connection.queuedBytes)
            loop.execute { pump(round + 1) }
        }
        loop.execute { pump(0) }
        #expect(serverDelegate.overflowed.wait { !$0.isEmpty })
        #expect(serverDelegate.closed.wait { !$0.isEmpty })
        #expect(maxQueued.snapshot.allSatisfy { $0 <= 256 * 1024 })
    }

    @Test func watermarksReportNotWritableThenWritableAgain() throws {
        let group = try EventLoopGroup(count: 1)
        defer { group.shutdown() }
        let loop = group.loops[0]
        let serverDelegate = RecordingDelegate()
        let (connection, fd) = try #require(try unreadConnection(loop: loop, cap: 8 << 20, delegate: serverDelegate))
        defer { SystemCall.close(fd) }
        let total = 4 * 1024 * 1024
        loop.execute { connection.write(SharedBuffer([UInt8](repeating: 3, count: total))) }
        #expect(serverDelegate.writability.wait { $0 == [false] })
        // Now read everything: the queue drains below the low watermark.
        var received = 0
        var buffer = [UInt8](repeating: 0, count: 65536)
        for _ in 0..<1_000_000 where received < total {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count > 0 { received += count } else { usleep(1000) }
        }
        #expect(received == total)
        #expect(serverDelegate.writability.wait { $0 == [false, true] })
    }

    @Test func connectionMovesToAnotherLoopAndKeepsWorking() throws {
        let group = try EventLoopGroup(count: 2)
        defer { group.shutdown() }
        let server = TestServer(loop: group.loops[0]) { RecordingDelegate(echo: true) }
        let client = RecordingDelegate()
        let connection = try #require(connectClient(loop: group.loops[0], port: server.port, delegate: client))
        let moved = Collector<Int>()
        group.loops[0].execute {
            ([1, 2, 3] as [UInt8]).withUnsafeBytes { connection.write($0) }
            connection.move(to: group.loops[1]) { moved.append($0.eventLoop.index) }
        }
        #expect(moved.wait { !$0.isEmpty })
        #expect(moved.snapshot == [1])
        group.loops[1].execute { ([4, 5] as [UInt8]).withUnsafeBytes { connection.write($0) } }
        #expect(client.received.wait { $0.joined().count >= 5 })
        #expect(Array(client.received.snapshot.joined()) == [1, 2, 3, 4, 5])
    }

    /// `flush()` writes at once, not at the end of the loop turn: the peer has the bytes while
    /// the writing loop is still busy in the same task (as a room's frame goes out before the
    /// next room sharing its phase slot is ticked).
    @Test func flushWritesBeforeTheLoopTurnEnds() throws {
        let group = try EventLoopGroup(count: 2)
        defer { group.shutdown() }
        let server = TestServer(loop: group.loops[0]) { RecordingDelegate() }
        let client = RecordingDelegate()
        _ = try #require(connectClient(loop: group.loops[1], port: server.port, delegate: client))
        #expect(server.accepted.wait { $0.count == 1 })
        let accepted = server.accepted.snapshot[0]
        let turnEnded = Collector<Bool>()
        group.loops[0].execute {
            ([7, 7] as [UInt8]).withUnsafeBytes { accepted.write($0) }
            accepted.flush()
            // Still in the same turn: without the flush nothing would be written for 10 s.
            let peerHasIt = client.received.wait { $0.joined().count >= 2 }
            turnEnded.append(peerHasIt)
        }
        #expect(turnEnded.wait { !$0.isEmpty })
        #expect(turnEnded.snapshot == [true])
    }

    @Test func peerCloseIsReportedAndGracefulCloseDeliversQueuedBytes() throws {
        let group = try EventLoopGroup(count: 1)
        defer { group.shutdown() }
        let loop = group.loops[0]
        let server = TestServer(loop: loop) { RecordingDelegate() }
        let client = RecordingDelegate()
        _ = try #require(connectClient(loop: loop, port: server.port, delegate: client))
        #expect(server.accepted.wait { $0.count == 1 })
        let accepted = server.accepted.snapshot[0]
        loop.execute {
            ([9, 9, 9] as [UInt8]).withUnsafeBytes { accepted.write($0) }
            accepted.closeAfterFlush()
        }
        #expect(client.received.wait { $0.joined().count >= 3 })
        #expect(client.closed.wait { !$0.isEmpty })
    }

    /// A peer that keeps sending after a graceful close is not closing: past the discard limit
    /// the connection is closed at once, not read until the (here 60 s) linger deadline.
    @Test func aPeerThatKeepsSendingAfterACloseIsCutOffAtTheDiscardLimit() throws {
        let group = try EventLoopGroup(count: 1)
        defer { group.shutdown() }
        let loop = group.loops[0]
        var configuration = TCPConnectionConfiguration()
        configuration.lingerTimeout = .seconds(60)
        configuration.lingerDiscardLimit = 64 * 1024
        let delegate = RecordingDelegate()
        let server = TestServer(loop: loop, configuration: configuration) { delegate }
        let fd = try #require(smallBufferedClient(port: server.port))
        defer { SystemCall.close(fd) }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)  // a bound on a hung test
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        #expect(server.accepted.wait { $0.count == 1 })
        let accepted = server.accepted.snapshot[0]
        loop.execute { accepted.closeAfterFlush() }
        let chunk = [UInt8](repeating: 1, count: 16 * 1024)
        var sent = 0
        while sent < 16 << 20, delegate.closed.snapshot.isEmpty {
            let written = chunk.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard written > 0 else { break }
            sent += written
        }
        #expect(delegate.closed.wait { !$0.isEmpty })
        #expect(sent < 16 << 20)
    }

    /// A server-side connection (watermarks 16/64 KiB, the given cap) whose peer is a raw,
    /// connected descriptor that nobody reads until the test does.
    private func unreadConnection(loop: EventLoop, cap: Int, delegate: RecordingDelegate) throws -> (TCPConnection, Int32)? {
        var configuration = TCPConnectionConfiguration()
        configuration.outboundLowWatermark = 16 * 1024
        configuration.outboundHighWatermark = 64 * 1024
        configuration.outboundCap = cap
        let server = TestServer(loop: loop, configuration: configuration) { delegate }
        let fd = try Socket.connect(host: "127.0.0.1", port: server.port)
        guard server.accepted.wait(until: { $0.count == 1 }) else {
            SystemCall.close(fd)
            return nil
        }
        return (server.accepted.snapshot[0], fd)
    }
}
