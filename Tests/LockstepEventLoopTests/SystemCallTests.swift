#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import LockstepEventLoop

@Suite struct SystemCallTests {
    @Test func emptyNonBlockingReadIsWouldBlockNotAnError() throws {
        var fds: [Int32] = [0, 0]
        #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0, &fds) == 0)
        defer { SystemCall.close(fds[0]); SystemCall.close(fds[1]) }
        var byte: UInt8 = 0
        let result = try SystemCall.run("read") { Glibc.read(fds[0], &byte, 1) }
        guard case .wouldBlock = result else { Issue.record("expected wouldBlock"); return }
    }

    @Test func otherErrnosThrowTypedErrors() {
        var byte: UInt8 = 0
        #expect(throws: SystemError("read", errno: EBADF)) {
            _ = try SystemCall.run("read") { Glibc.read(-1, &byte, 1) } as IOResult<Int>
        }
    }

    @Test func listeningOnPortZeroReportsTheBoundPort() throws {
        let (fd, port) = try Socket.listen(host: "127.0.0.1", port: 0)
        defer { SystemCall.close(fd) }
        #expect(port > 0)
        #expect(throws: SystemError.self) { _ = try Socket.listen(host: "no such host.invalid", port: 0) }
    }
}
