#if canImport(Glibc)
import Glibc
#endif
import LockstepEventLoop
import LockstepHTTP
import LockstepWebSocket

/// A blocking loopback socket for tests that speak bytes by hand. Every read gives up after
/// ten seconds (a bound on a hung test, not a timing assertion).
final class RawSocket {
    let fd: Int32

    init?(port: Int) {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        if connected != 0 {
            Glibc.close(fd)
            return nil
        }
    }

    deinit { Glibc.close(fd) }

    func send(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if written <= 0 { return }
            offset += written
        }
    }

    func send(_ text: String) { send(Array(text.utf8)) }

    /// Reads until the peer closes (or the read times out); returns everything read.
    func readToEnd() -> [UInt8] {
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count <= 0 { return result }
            result.append(contentsOf: buffer[0..<count])
        }
    }

    /// Reads until `count` bytes arrived (or the peer closed / timed out).
    func read(count: Int) -> [UInt8] {
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while result.count < count {
            let wanted = min(buffer.count, count - result.count)
            let got = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, wanted, 0) }
            if got <= 0 { return result }
            result.append(contentsOf: buffer[0..<got])
        }
        return result
    }

    /// Reads an HTTP response head (up to the blank line).
    func readHead() -> String {
        var head: [UInt8] = []
        while !head.suffix(4).elementsEqual([13, 10, 13, 10]) {
            let byte = read(count: 1)
            if byte.isEmpty { break }
            head.append(contentsOf: byte)
        }
        return String(decoding: head, as: UTF8.self)
    }

    /// Performs a valid opening handshake on `path`; returns whether the server answered 101.
    func upgrade(path: String = "/echo") -> Bool {
        send("GET \(path) HTTP/1.1\r\nHost: test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
        return readHead().hasPrefix("HTTP/1.1 101")
    }

    /// Sends one masked frame.
    func sendFrame(fin: Bool = true, opcode: WebSocketOpcode, payload: [UInt8]) {
        var frame: [UInt8] = []
        payload.withUnsafeBytes {
            WebSocketFrameEncoder.appendFrame(
                to: &frame, fin: fin, opcode: opcode, payload: $0, maskingKey: WebSocketMaskingKey(word: 0x1234_5678))
        }
        send(frame)
    }

    /// Reads one unmasked server frame: its opcode and payload (nil on EOF).
    func readFrame() -> (opcode: WebSocketOpcode, payload: [UInt8])? {
        let start = read(count: 2)
        guard start.count == 2 else { return nil }
        var length = Int(start[1] & 0x7F)
        if length == 126 {
            let extended = read(count: 2)
            guard extended.count == 2 else { return nil }
            length = Int(extended[0]) << 8 | Int(extended[1])
        } else if length == 127 {
            let extended = read(count: 8)
            guard extended.count == 8 else { return nil }
            length = extended.reduce(0) { $0 << 8 | Int($1) }
        }
        let payload = read(count: length)
        guard payload.count == length else { return nil }
        return (WebSocketOpcode(rawValue: start[0]), payload)
    }

    /// Reads frames until a close frame; returns its code (nil when the connection ended without one).
    func readCloseCode() -> UInt16? {
        while let frame = readFrame() {
            if frame.opcode == .connectionClose {
                guard frame.payload.count >= 2 else { return 1005 }
                return UInt16(frame.payload[0]) << 8 | UInt16(frame.payload[1])
            }
        }
        return nil
    }
}
