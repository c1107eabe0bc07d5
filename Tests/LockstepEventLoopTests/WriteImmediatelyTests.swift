#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Testing
@testable import LockstepEventLoop

/// `TCPConnection.writeImmediately(_:range:)`: a tick's frame goes out with one `send` when nothing
/// is queued ahead of it, after what is queued otherwise, and a failed send closes the connection
/// at the loop's flush, never inside the call.
@Suite struct WriteImmediatelyTests {
    /// Nothing queued: the peer has the bytes while the writing task still runs, and nothing is
    /// left in the queue (no flush was needed).
    @Test func aSharedBufferWithNothingAheadOfItReachesThePeerInTheCallAndQueuesNothing() throws {
        try withAcceptedConnection { loop, connection, peer in
            let frame = SharedBuffer(Array("frame 7".utf8))
            let outcome = Collector<(queued: Int, arrived: [UInt8])>()
            loop.execute {
                connection.writeImmediately(frame)
                outcome.append((connection.queuedBytes, bytesArriving(at: peer, count: frame.count)))
            }
            #expect(outcome.wait { !$0.isEmpty })
            #expect(outcome.snapshot.first?.queued == 0)
            #expect(outcome.snapshot.first?.arrived == Array("frame 7".utf8))
        }
    }

    /// Seeded: random mixes of queued writes and immediate ones, in random-sized pieces, arrive
    /// in the order they were written (an immediate write never overtakes queued bytes).
    @Test func immediateWritesNeverOvertakeQueuedBytes() throws {
        try withAcceptedConnection { loop, connection, peer in
            var random = XorShift(state: 0x5EED_0011)
            var expected: [UInt8] = []
            for turn in 0..<40 {
                var pieces: [(immediate: Bool, bytes: [UInt8])] = []
                for _ in 0..<(1 + random.next(5)) {
                    let bytes = (0..<(1 + random.next(300))).map { _ in UInt8(random.next(256)) }
                    pieces.append((random.next(2) == 0, bytes))
                    expected += bytes
                }
                let sent = pieces
                let done = Collector<Int>()
                loop.execute {
                    for piece in sent {
                        if piece.immediate {
                            connection.writeImmediately(SharedBuffer(piece.bytes))
                        } else {
                            piece.bytes.withUnsafeBytes { connection.write($0) }
                        }
                    }
                    done.append(turn)
                }
                #expect(done.wait { !$0.isEmpty })
            }
            let arrived = bytesArriving(at: peer, count: expected.count)
            let common = min(arrived.count, expected.count)
            let firstDifference = (0..<common).first { arrived[$0] != expected[$0] } ?? common
            #expect(arrived.count == expected.count)
            #expect(firstDifference == expected.count, "the bytes differ from byte \(firstDifference) on")
        }
    }

    /// A send that fails (the peer reset the connection) leaves the connection open and its
    /// delegate untold during the call; the loop's flush then meets the error and closes it.
    @Test func aFailedImmediateSendClosesTheConnectionAtTheFlushNotInTheCall() throws {
        let group = try EventLoopGroup(count: 1)
        defer { group.shutdown() }
        let loop = group.loops[0]
        let delegate = RecordingDelegate()
        let server = TestServer(loop: loop) { delegate }
        let doomed = try Socket.connect(host: "127.0.0.1", port: server.port)
        #expect(server.accepted.wait { $0.count == 1 })
        let connection = server.accepted.snapshot[0]
        let inTask = DispatchSemaphore(value: 0)
        let peerReset = DispatchSemaphore(value: 0)
        let outcome = Collector<(openAfterCall: Bool, toldInCall: Bool, openAfterFlush: Bool)>()
        loop.execute {
            // The loop stays in this task while the peer resets: it cannot notice the reset first.
            inTask.signal()
            peerReset.wait()
            connection.writeImmediately(SharedBuffer([1, 2, 3]))
            let openAfterCall = connection.isOpen
            let toldInCall = !delegate.closed.snapshot.isEmpty
            loop.flushQueuedWrites()
            outcome.append((openAfterCall, toldInCall, connection.isOpen))
        }
        inTask.wait()
        resetAbortively(doomed, seenBy: connection)
        peerReset.signal()
        #expect(outcome.wait { !$0.isEmpty })
        #expect(outcome.snapshot.first?.openAfterCall == true)
        #expect(outcome.snapshot.first?.toldInCall == false)
        #expect(outcome.snapshot.first?.openAfterFlush == false)
        #expect(delegate.closed.wait { !$0.isEmpty })
    }

    /// Runs `body` with a loop, a connection it accepted, and the peer's plain socket.
    private func withAcceptedConnection(_ body: (EventLoop, TCPConnection, Int32) throws -> Void) throws {
        let group = try EventLoopGroup(count: 1)
        defer { group.shutdown() }
        let loop = group.loops[0]
        let server = TestServer(loop: loop) { RecordingDelegate() }
        let peer = try Socket.connect(host: "127.0.0.1", port: server.port)
        defer { SystemCall.close(peer) }
        #expect(server.accepted.wait { $0.count == 1 })
        try body(loop, server.accepted.snapshot[0], peer)
    }
}
