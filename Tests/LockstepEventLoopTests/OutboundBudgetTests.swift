import Synchronization
import Testing

@testable import LockstepEventLoop

#if canImport(Glibc)
    import Glibc
#endif

/// Records which connections were closed for the budget, by their remote port.
private final class BudgetDelegate: TCPConnectionDelegate, @unchecked Sendable {
    let name: String
    let budgetClosed = Collector<String>()
    let closed = Collector<Bool>()

    init(name: String) { self.name = name }

    func connection(_ connection: TCPConnection, didRead bytes: UnsafeMutableRawBufferPointer) -> Int { bytes.count }
    func connection(_ connection: TCPConnection, writabilityChanged isWritable: Bool) {}
    func connectionOutboundOverflow(_ connection: TCPConnection) { connection.close() }
    func connectionOutboundBudgetExceeded(_ connection: TCPConnection) { budgetClosed.append(name) }
    func connectionDidClose(_ connection: TCPConnection, error: SystemError?) { closed.append(true) }
}

@Suite struct OutboundBudgetTests {
    /// A connection on `loop` whose peer never reads, holding about `bytes` in its queue.
    private static func holder(loop: EventLoop, name: String, bytes: Int) throws -> (
        TCPConnection, BudgetDelegate, Int32
    )? {
        let delegate = BudgetDelegate(name: name)
        let server = TestServer(loop: loop) { delegate }
        guard let fd = smallBufferedClient(port: server.port, bufferBytes: 4096) else { return nil }
        guard server.accepted.wait(until: { $0.count == 1 }) else {
            SystemCall.close(fd)
            return nil
        }
        let connection = server.accepted.snapshot[0]
        loop.execute { connection.write(SharedBuffer([UInt8](repeating: 9, count: bytes))) }
        return (connection, delegate, fd)
    }

    /// What `connection` holds once its socket is full (read on its loop): sampled every 20 ms
    /// until two samples agree (a settling measurement, not a wait for a known condition).
    private static func settledQueue(_ connection: TCPConnection) -> Int {
        var previous = -1
        while true {
            let now = onLoop(connection.eventLoop) { connection.queuedBytes } ?? 0
            if now == previous { return now }
            previous = now
            usleep(20_000)
        }
    }

    @Test func overTheBudgetTheLargestHolderAcrossLoopsIsClosedFirst() throws {
        let group = try EventLoopGroup(count: 2)
        defer { group.shutdown() }
        // The largest on loop 1, the others on loop 0: loop 0 must not close its own first.
        let (small, smallDelegate, smallFD) = try #require(
            try Self.holder(loop: group.loops[0], name: "small", bytes: 2 << 20))
        let (middle, middleDelegate, middleFD) = try #require(
            try Self.holder(loop: group.loops[0], name: "middle", bytes: 4 << 20))
        let (large, largeDelegate, largeFD) = try #require(
            try Self.holder(loop: group.loops[1], name: "large", bytes: 6 << 20))
        defer { for fd in [smallFD, middleFD, largeFD] { SystemCall.close(fd) } }
        let held = [small, middle, large].map(Self.settledQueue)
        #expect(held[0] < held[1] && held[1] < held[2], "\(held)")
        // Closing the largest is enough to get under this budget.
        let budget = OutboundBudget(
            limitBytes: held[0] + held[1] + 1024, loopCount: 2, checkInterval: .milliseconds(20))
        budget.start(on: group.loops)
        #expect(largeDelegate.budgetClosed.wait { !$0.isEmpty })
        #expect(largeDelegate.closed.wait { !$0.isEmpty })
        // Held bytes are republished below the budget; nobody else is closed.
        #expect(waitUntil { budget.heldBytes <= UInt64(budget.limitBytes) })
        #expect(budget.connectionsClosed.load == 1)
        #expect(smallDelegate.budgetClosed.snapshot.isEmpty && middleDelegate.budgetClosed.snapshot.isEmpty)
        #expect(onLoop(group.loops[0]) { small.isOpen && middle.isOpen } == true)
    }

    @Test func heldBytesFollowQueuesAndFallToZeroWhenConnectionsClose() throws {
        let group = try EventLoopGroup(count: 1)
        defer { group.shutdown() }
        let loop = group.loops[0]
        let (connection, delegate, fd) = try #require(try Self.holder(loop: loop, name: "one", bytes: 6 << 20))
        defer { SystemCall.close(fd) }
        let queued = Self.settledQueue(connection)
        #expect(queued > 0)
        #expect(onLoop(loop) { loop.outboundHeldBytes } == queued)
        loop.execute { connection.close() }
        #expect(delegate.closed.wait { !$0.isEmpty })
        #expect(onLoop(loop) { loop.outboundHeldBytes } == 0)
    }
}
