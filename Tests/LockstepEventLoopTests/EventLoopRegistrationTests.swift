#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import LockstepEventLoop

/// Regression guard for the generation tag in `epoll_data`: when a handler closes another
/// descriptor whose event is already in the same `epoll_wait` batch, and the fd number is
/// reused at once, the stale event must not reach the new registration.
@Suite struct EventLoopRegistrationTests {
    final class Closer: EventLoopSelectable, @unchecked Sendable {
        let loop: EventLoop
        var fd: Int32 = -1
        var other: Closer?
        var quietFD: Int32 = -1
        var replacement: Recorder?
        let done = Collector<Bool>()

        init(loop: EventLoop) { self.loop = loop }

        func handleEvents(_ events: UInt32) {
            guard let other, other.fd >= 0 else { return }
            // Close the other descriptor (its event is likely already in this batch) and reuse its number.
            let number = other.fd
            loop.deregister(fd: number)
            other.fd = -1
            Glibc.close(number)
            _ = dup2(quietFD, number)
            let recorder = Recorder()
            try? loop.register(fd: number, interest: .read, recorder)
            replacement = recorder
            self.other = nil
            loop.execute { [self] in done.append(true) }
        }

        func eventLoopDidStop() {}
    }

    final class Recorder: EventLoopSelectable, @unchecked Sendable {
        var events = 0
        func handleEvents(_ events: UInt32) { self.events += 1 }
        func eventLoopDidStop() {}
    }

    @Test func staleEventForAReusedDescriptorIsDropped() throws {
        let group = try EventLoopGroup(count: 1)
        defer { group.shutdown() }
        let loop = group.loops[0]
        var first: [Int32] = [0, 0]
        var second: [Int32] = [0, 0]
        var quiet: [Int32] = [0, 0]
        #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0, &first) == 0)
        #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0, &second) == 0)
        #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0, &quiet) == 0)
        let a = Closer(loop: loop)
        let b = Closer(loop: loop)
        a.fd = first[0]
        b.fd = second[0]
        a.other = b
        b.other = a
        a.quietFD = quiet[0]
        b.quietFD = quiet[0]
        let registered = Collector<Bool>()
        let writers = (first[1], second[1])
        loop.execute {
            try? loop.register(fd: a.fd, interest: .read, a)
            try? loop.register(fd: b.fd, interest: .read, b)
            // Make both readable before the next epoll_wait, so both events come in one batch.
            var byte: UInt8 = 1
            _ = Glibc.write(writers.0, &byte, 1)
            _ = Glibc.write(writers.1, &byte, 1)
            registered.append(true)
        }
        #expect(registered.wait { !$0.isEmpty })
        #expect(a.done.wait { !$0.isEmpty } || b.done.wait { !$0.isEmpty })
        // A few more turns: the replacement is a quiet socket, so it must never have seen an event.
        for _ in 0..<3 { _ = onLoop(loop) { true } }
        let replacement = onLoop(loop) { (a.replacement ?? b.replacement)?.events ?? -1 }
        #expect(replacement == 0)
        for fd in [first[1], second[1], quiet[0], quiet[1], a.fd, b.fd] where fd >= 0 { Glibc.close(fd) }
    }
}
