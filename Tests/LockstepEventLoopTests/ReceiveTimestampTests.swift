#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import Testing
@testable import LockstepEventLoop

/// Records, at each read, the connection's kernel receive time and the time the loop read it.
private final class StampingDelegate: TCPConnectionDelegate, @unchecked Sendable {
    let reads = Collector<(kernel: UInt64, read: UInt64, count: Int)>()

    func connection(_ connection: TCPConnection, didRead bytes: UnsafeMutableRawBufferPointer) -> Int {
        reads.append((connection.lastReceiveRealtime, realtimeNow(), bytes.count))
        return bytes.count
    }

    func connection(_ connection: TCPConnection, writabilityChanged isWritable: Bool) {}
    func connectionOutboundOverflow(_ connection: TCPConnection) {}
    func connectionDidClose(_ connection: TCPConnection, error: SystemError?) {}
}

private func realtimeNow() -> UInt64 {
    var spec = timespec()
    clock_gettime(CLOCK_REALTIME, &spec)
    return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
}

@Suite struct ReceiveTimestampTests {
    /// Bytes that wait in the socket while the reading loop is busy carry the time they arrived,
    /// not the time the loop got to them: what the benchmark needs to keep its own queueing out.
    @Test func aTimestampedReadGivesTheArrivalTimeNotTheReadTime() throws {
        let group = try EventLoopGroup(count: 2)
        defer { group.shutdown() }
        let server = TestServer(loop: group.loops[0]) { RecordingDelegate() }
        let reader = StampingDelegate()
        let client = try #require(connectClient(loop: group.loops[1], port: server.port, delegate: reader))
        let enabled = onLoop(group.loops[1]) { () -> Bool in
            (try? client.enableReceiveTimestamps()) != nil && client.recordsReceiveTime
        }
        #expect(enabled == true)
        #expect(server.accepted.wait { $0.count == 1 })
        let accepted = try #require(server.accepted.snapshot.first)

        // Keep the client's loop busy for 50 ms; meanwhile the server sends.
        let sentAt = Atomic<UInt64>(0)
        group.loops[1].execute { usleep(50_000) }
        usleep(5_000)
        group.loops[0].execute {
            sentAt.store(realtimeNow(), ordering: .relaxed)
            [UInt8]([1, 2, 3]).withUnsafeBytes { accepted.write($0) }
        }
        #expect(reader.reads.wait { $0.reduce(0) { $0 + $1.count } >= 3 })
        let read = try #require(reader.reads.snapshot.first)
        let sent = sentAt.load(ordering: .relaxed)
        #expect(read.kernel != 0)
        // Stamped after the send began (1 ms of slack for the two clock reads), and at least
        // 20 ms before the busy loop read it.
        #expect(read.kernel + 1_000_000 >= sent)
        #expect(read.kernel + 20_000_000 <= read.read)
    }

    /// Without `enableReceiveTimestamps()` a connection reads with `read(2)` and reports no time.
    @Test func withoutTimestampsTheReceiveTimeStaysZero() throws {
        let group = try EventLoopGroup(count: 1)
        defer { group.shutdown() }
        let server = TestServer(loop: group.loops[0]) { RecordingDelegate(echo: true) }
        let reader = StampingDelegate()
        let client = try #require(connectClient(loop: group.loops[0], port: server.port, delegate: reader))
        group.loops[0].execute { [UInt8]([9]).withUnsafeBytes { client.write($0) } }
        #expect(reader.reads.wait { !$0.isEmpty })
        #expect(reader.reads.snapshot.allSatisfy { $0.kernel == 0 })
    }
}
