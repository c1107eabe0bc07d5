#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Testing
@testable import LockstepEventLoop

/// `EventLoop.flushQueuedWrites()`: what a room's tick uses to send its frames before the loop
/// turn ends.
@Suite struct EventLoopFlushTests {
    /// Every connection with queued bytes is written, while the loop is still in the same task.
    @Test func flushQueuedWritesSendsEveryConnectionsBytesBeforeTheTurnEnds() throws {
        let group = try EventLoopGroup(count: 1)
        defer { group.shutdown() }
        let loop = group.loops[0]
        let server = TestServer(loop: loop) { RecordingDelegate() }
        let peers = try (0..<3).map { _ in try Socket.connect(host: "127.0.0.1", port: server.port) }
        defer { peers.forEach(SystemCall.close) }
        #expect(server.accepted.wait { $0.count == peers.count })
        let accepted = server.accepted.snapshot
        let outcome = Collector<[Int]>()
        loop.execute {
            for (index, connection) in accepted.enumerated() {
                [UInt8(index), 9].withUnsafeBytes { connection.write($0) }
            }
            loop.flushQueuedWrites()
            // Still in the task: without the flush nothing is written until it returns.
            outcome.append(peers.map { bytesArriving(at: $0, count: 2).count })
        }
        #expect(outcome.wait { !$0.isEmpty })
        #expect(outcome.snapshot == [[2, 2, 2]])
    }

    /// A write that fails closes its connection inside the flush; the delegate, told at once,
    /// writes to another connection and flushes again: the nested call returns at once and the
    /// pass in progress writes what it queued. Nothing is lost and nothing recurses.
    @Test func aFlushFromADelegateDuringAFlushIsTakenByThePassInProgress() throws {
        let group = try EventLoopGroup(count: 1)
        defer { group.shutdown() }
        let loop = group.loops[0]
        let server = TestServer(loop: loop) { ClosingDelegate() }
        let doomed = try Socket.connect(host: "127.0.0.1", port: server.port)
        #expect(server.accepted.wait { $0.count == 1 })
        let survivor = try Socket.connect(host: "127.0.0.1", port: server.port)
        defer { SystemCall.close(survivor) }
        #expect(server.accepted.wait { $0.count == 2 })
        let (failing, other) = (server.accepted.snapshot[0], server.accepted.snapshot[1])
        let peerReset = DispatchSemaphore(value: 0)
        let inTask = DispatchSemaphore(value: 0)
        let outcome = Collector<(closed: Bool, survivorBytes: Int)>()
        loop.execute {
            // The loop stays in this task while the peer resets: it cannot notice the reset first.
            inTask.signal()
            peerReset.wait()
            let delegate = failing.delegate as? ClosingDelegate
            delegate?.onClose = {
                [UInt8(7)].withUnsafeBytes { other.write($0) }
                loop.flushQueuedWrites()
            }
            [UInt8(1)].withUnsafeBytes { failing.write($0) }
            loop.flushQueuedWrites()
            outcome.append((!failing.isOpen, bytesArriving(at: survivor, count: 1).count))
        }
        // Only once the loop is inside the task (else it could read the reset and close first).
        inTask.wait()
        resetAbortively(doomed, seenBy: failing)
        peerReset.signal()
        #expect(outcome.wait { !$0.isEmpty })
        #expect(outcome.snapshot.first?.closed == true)
        #expect(outcome.snapshot.first?.survivorBytes == 1)
    }
}

/// A delegate that runs `onClose` when its connection closes.
private final class ClosingDelegate: TCPConnectionDelegate, @unchecked Sendable {
    var onClose: (() -> Void)?

    func connection(_ connection: TCPConnection, didRead bytes: UnsafeMutableRawBufferPointer) -> Int { bytes.count }
    func connection(_ connection: TCPConnection, writabilityChanged isWritable: Bool) {}
    func connectionOutboundOverflow(_ connection: TCPConnection) { connection.close() }
    func connectionDidClose(_ connection: TCPConnection, error: SystemError?) { onClose?() }
}
