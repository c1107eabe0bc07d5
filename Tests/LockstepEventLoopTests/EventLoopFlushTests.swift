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
            outcome.append(peers.map { bytesArriving(at: $0, count: 2) })
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
            outcome.append((!failing.isOpen, bytesArriving(at: survivor, count: 1)))
        }
        // Only once the loop is inside the task (else it could read the reset and close first).
        inTask.wait()
        // An abortive close: the server's socket gets a reset, its next send fails.
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        _ = setsockopt(doomed, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        SystemCall.close(doomed)
        // On a busy host the reset can reach the server's socket a moment later (softirq):
        // wait until the socket shows it, so the next send is sure to fail.
        var resetSeen = pollfd(fd: failing.fd, events: Int16(POLLIN), revents: 0)
        _ = waitUntil { poll(&resetSeen, 1, 0) == 1 && resetSeen.revents & Int16(POLLERR | POLLHUP) != 0 }
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

/// Reads from the non-blocking `fd` until `count` bytes arrived or ten seconds passed (a bound on a
/// hung test, not a timing assertion); returns how many arrived.
private func bytesArriving(at fd: Int32, count: Int) -> Int {
    var buffer = [UInt8](repeating: 0, count: count)
    var received = 0
    _ = waitUntil {
        let result = buffer.withUnsafeMutableBytes {
            recv(fd, $0.baseAddress! + received, count - received, Int32(MSG_DONTWAIT))
        }
        if result > 0 { received += result }
        return received >= count
    }
    return received
}
