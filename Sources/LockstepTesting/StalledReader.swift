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
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw AdminClient.Failure(description: "socket failed") }
        var small: Int32 = 1024
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, socklen_t(MemoryLayout<Int32>.size))
        // A small segment size keeps the server's kernel send buffer small too (on loopback it
        // would otherwise grow to megabytes), so the server's own queue fills within seconds.
        var segment: Int32 = 536
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_MAXSEG, &segment, socklen_t(MemoryLayout<Int32>.size))
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            Glibc.close(fd)
            throw AdminClient.Failure(description: "connect failed")
        }
        let handshake = WebSocketClientHandshake(
            host: "127.0.0.1:\(port)", path: ProtocolVersion.path, subprotocols: [ProtocolVersion.subprotocol])
        write(handshake.requestBytes())
        // Read the 101 answer byte by byte, so nothing after it is consumed.
        var head: [UInt8] = []
        var byte: UInt8 = 0
        while !head.ends(with: [13, 10, 13, 10]) {
            guard recv(fd, &byte, 1, 0) == 1 else {
                Glibc.close(fd)
                throw AdminClient.Failure(description: "no handshake answer")
            }
            head.append(byte)
        }
        guard head.starts(with: Array("HTTP/1.1 101".utf8)) else {
            Glibc.close(fd)
            throw AdminClient.Failure(description: "upgrade refused")
        }
        var hello = WireWriter()
        ClientMessageEncoder.hello(Hello(token: token), into: &hello)
        var frame: [UInt8] = []
        hello.bytes.withUnsafeBytes {
            WebSocketFrameEncoder.appendFrame(
                to: &frame, opcode: .binary, payload: $0, maskingKey: WebSocketMaskingKey(word: 0x1234_5678))
        }
        write(frame)
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

    private func write(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { send(fd, $0.baseAddress.map { $0 + offset }, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if written <= 0 { return }
            offset += written
        }
    }
}

extension Array where Element == UInt8 {
    fileprivate func ends(with suffix: [UInt8]) -> Bool { count >= suffix.count && Array(self[(count - suffix.count)...]) == suffix }
}
