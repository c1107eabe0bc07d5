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
        var configuration = TCPConnectionConfiguration()
        configuration.outboundLowWatermark = 16 * 1024
        configuration.outboundHighWatermark = 64 * 1024
        configuration.outboundCap = 256 * 1024
        let serverDelegate = RecordingDelegate()
        let server = TestServer(loop: loop, configuration: configuration) { serverDelegate }
        // The client never reads: its fd is connected but not registered with any loop.
        let fd = try Socket.connect(host: "127.0.0.1", port: server.port)
        defer { SystemCall.close(fd) }
        #expect(server.accepted.wait { $0.count == 1 })
        let connection = server.accepted.snapshot[0]
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
        #expect(maxQueued.snapshot.allSatisfy { $0 <= configuration.outboundCap })
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
}
