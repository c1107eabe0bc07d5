#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import LockstepEventLoop

@Suite struct OutboundQueueTests {
    private func socketPair(sendBuffer: Int32? = nil) -> (Int32, Int32) {
        var fds: [Int32] = [0, 0]
        _ = socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0, &fds)
        if var size = sendBuffer {
            setsockopt(fds[0], SOL_SOCKET, SO_SNDBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        return (fds[0], fds[1])
    }

    private func drain(_ fd: Int32) -> [UInt8] {
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count <= 0 { return result }
            result.append(contentsOf: buffer[0..<count])
        }
    }

    @Test func manySmallAndSharedWritesGoOutInOneWritev() throws {
        let (writer, reader) = socketPair()
        defer { Glibc.close(writer); Glibc.close(reader) }
        var queue = OutboundQueue()
        let shared = SharedBuffer(Array("shared|".utf8))
        var expected: [UInt8] = []
        for index in 0..<300 {
            let small = Array("m\(index)|".utf8)
            small.withUnsafeBytes { queue.append($0) }
            expected += small
            queue.append(shared, start: 0, end: shared.count)
            expected += Array("shared|".utf8)
        }
        let iovecs = UnsafeMutablePointer<iovec>.allocate(capacity: 1024)
        defer { iovecs.deallocate() }
        let drained = try queue.write(fd: writer, iovecs: iovecs, capacity: 1024, counter: nil)
        #expect(drained)
        #expect(queue.writeCalls == 1)
        #expect(drain(reader) == expected)
    }

    @Test func partialWritesResumeWhereTheyStoppedWithoutCorruption() throws {
        let (writer, reader) = socketPair(sendBuffer: 4096)
        defer { Glibc.close(writer); Glibc.close(reader) }
        var queue = OutboundQueue()
        let payload = (0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 11) }
        let shared = SharedBuffer(payload)
        payload.prefix(1000).withUnsafeBytes { queue.append($0) }
        queue.append(shared, start: 1000, end: payload.count)
        let iovecs = UnsafeMutablePointer<iovec>.allocate(capacity: 1024)
        defer { iovecs.deallocate() }
        var received: [UInt8] = []
        var rounds = 0
        while rounds < 100_000 {
            rounds += 1
            let drained = try queue.write(fd: writer, iovecs: iovecs, capacity: 1024, counter: nil)
            received += drain(reader)
            if drained { break }
            #expect(queue.queuedBytes == payload.count - received.count)
        }
        received += drain(reader)
        #expect(rounds > 1)
        #expect(received == payload)
    }

    /// A seeded run of appends (copied and shared), partial writes through a small socket buffer
    /// and full drains, reusing the queue's storage round after round: the reader gets every byte
    /// in order, and a shared buffer is released as soon as its bytes are written.
    @Test func aReusedQueueDeliversEveryByteInOrderAndReleasesWrittenBuffers() throws {
        let (writer, reader) = socketPair(sendBuffer: 4096)
        defer { Glibc.close(writer); Glibc.close(reader) }
        var queue = OutboundQueue()
        let iovecs = UnsafeMutablePointer<iovec>.allocate(capacity: 64)
        defer { iovecs.deallocate() }
        var random = XorShift(state: 0x9E37_79B9_7F4A_7C15)
        func next(_ bound: Int) -> Int { random.next(bound) }
        var expected: [UInt8] = []
        var received: [UInt8] = []
        weak var lastShared: SharedBuffer?
        for round in 0..<400 {
            for _ in 0..<(1 + next(6)) {
                let bytes = (0..<(1 + next(300))).map { UInt8(truncatingIfNeeded: $0 &+ round) }
                if next(2) == 0 {
                    bytes.withUnsafeBytes { queue.append($0) }
                } else {
                    let shared = SharedBuffer(bytes)
                    lastShared = shared
                    queue.append(shared, start: 0, end: shared.count)
                }
                expected += bytes
            }
            // Sometimes only a partial write (the reader is not drained), sometimes drain fully.
            var drained = try queue.write(fd: writer, iovecs: iovecs, capacity: 64, counter: nil)
            if next(3) != 0 {
                while !drained {
                    received += drain(reader)
                    drained = try queue.write(fd: writer, iovecs: iovecs, capacity: 64, counter: nil)
                }
                received += drain(reader)
                #expect(queue.isEmpty)
                #expect(lastShared == nil)
            }
        }
        while try !queue.write(fd: writer, iovecs: iovecs, capacity: 64, counter: nil) { received += drain(reader) }
        received += drain(reader)
        #expect(received.count == expected.count)
        #expect(received == expected)
    }

    /// A write to a peer that has gone must fail with EPIPE: a SIGPIPE would kill the process with
    /// every room in it (this test's process dies if it comes back).
    @Test func writingToAClosedPeerThrowsInsteadOfRaisingSIGPIPE() {
        let (writer, reader) = socketPair()
        defer { Glibc.close(writer) }
        Glibc.close(reader)
        var queue = OutboundQueue()
        Array("to nobody".utf8).withUnsafeBytes { queue.append($0) }
        let iovecs = UnsafeMutablePointer<iovec>.allocate(capacity: 16)
        defer { iovecs.deallocate() }
        #expect(throws: SystemError.self) { try queue.write(fd: writer, iovecs: iovecs, capacity: 16, counter: nil) }
    }
}
