import LockstepClient

#if canImport(Glibc)
import Glibc
#endif

/// WebSocket handshakes written by hand on blocking loopback sockets, for tests that must control
/// the socket itself (its buffers, what it reads and when): a client that never reads, floods, or
/// reads nothing after the handshake.
public enum LoopbackWebSocket {
    /// Connects to `127.0.0.1:port`, upgrades to a WebSocket on `path`, and returns the socket.
    ///
    /// `configure` sets socket options before the connect (buffer sizes, segment size). The answer
    /// is read byte by byte up to its blank line, so nothing after the 101 is consumed; reads time
    /// out after 10 s.
    public static func handshake(
        port: Int, path: String, subprotocol: String?, configure: (Int32) -> Void = { _ in }
    ) throws -> Int32 {
        let fd = try connect(port: port, configure: configure)
        var request =
            "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        if let subprotocol { request += "Sec-WebSocket-Protocol: \(subprotocol)\r\n" }
        request += "\r\n"
        guard sendAll(fd, Array(request.utf8)) else {
            _ = close(fd)
            throw AdminClient.Failure(description: "send: errno \(errno)")
        }
        var head: [UInt8] = []
        var byte: UInt8 = 0
        while !head.suffix(4).elementsEqual([13, 10, 13, 10]) {
            guard recv(fd, &byte, 1, 0) == 1 else {
                _ = close(fd)
                throw AdminClient.Failure(description: "no answer to the upgrade: \(String(decoding: head, as: UTF8.self))")
            }
            head.append(byte)
        }
        guard head.starts(with: Array("HTTP/1.1 101".utf8)) else {
            _ = close(fd)
            throw AdminClient.Failure(description: "upgrade refused: \(String(decoding: head, as: UTF8.self))")
        }
        return fd
    }

    /// A blocking TCP socket connected to `127.0.0.1:port` whose reads time out after 10 s;
    /// `configure` sets socket options before the connect.
    public static func connect(port: Int, configure: (Int32) -> Void = { _ in }) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw AdminClient.Failure(description: "socket: errno \(errno)") }
        configure(fd)
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            _ = close(fd)
            throw AdminClient.Failure(description: "connect: errno \(errno)")
        }
        return fd
    }

    /// Writes all of `bytes` (blocking); `false` when the socket fails first.
    public static func sendAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { send(fd, $0.baseAddress.map { $0 + offset }, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if written <= 0 { return false }
            offset += written
        }
        return true
    }
}
