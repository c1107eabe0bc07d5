import LockstepClient
import LockstepProtocol
import LockstepWebSocket

#if canImport(Glibc)
import Glibc
#endif

/// A player that joins and then never reads: a blocking loopback socket with the smallest receive
/// buffer the kernel allows, a WebSocket handshake and a HELLO written by hand, and nothing read
/// after the handshake's answer. The server's queue for it only grows: the slow-reader path.
public final class StalledReader {
    private let fd: Int32

    /// Connects to `/v1/play` on `port`, upgrades and sends a HELLO with `token`.
    public init(port: Int, token: String) throws {
        fd = try LoopbackWebSocket.handshake(port: port, path: ProtocolVersion.path, subprotocol: ProtocolVersion.subprotocol) { fd in
            var small: Int32 = 1024
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, socklen_t(MemoryLayout<Int32>.size))
            // A small segment size keeps the server's kernel send buffer small too (on loopback it
            // would otherwise grow to megabytes), so the server's own queue fills within seconds.
            var segment: Int32 = 536
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_MAXSEG, &segment, socklen_t(MemoryLayout<Int32>.size))
        }
        var hello = WireWriter()
        ClientMessageEncoder.hello(Hello(token: token), into: &hello)
        var frame: [UInt8] = []
        hello.bytes.withUnsafeBytes {
            WebSocketFrameEncoder.appendFrame(
                to: &frame, opcode: .binary, payload: $0, maskingKey: WebSocketMaskingKey(word: 0x1234_5678))
        }
        _ = LoopbackWebSocket.sendAll(fd, frame)
    }

    deinit { Glibc.close(fd) }

    /// Whether the server has closed the connection: a read of what is buffered reaches its end
    /// (the server reset or finished it). Reads, so call it only once the test is done waiting.
    public func drainUntilClosed() -> Bool {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count == 0 { return true }
            if count < 0 { return errno == ECONNRESET }
        }
    }
}
