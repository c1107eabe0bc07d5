import Foundation
import LockstepWebSocket
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A hand-written "server" on 127.0.0.1 for the socket transport's bad-input tests: for every
/// connection it reads the upgrade request and writes what `answer` makes of its key, then closes.
final class ScriptedPeer: Sendable {
    let port: Int
    private let listener: Int32
    private let connections = Atomic<Int>(0)

    /// The 101 answer a real server would give to `key`.
    static func upgrade(key: String) -> [UInt8] {
        Array(
            ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: \(WebSocketServerHandshake.acceptValue(forKey: key))\r\n"
                + "Sec-WebSocket-Protocol: lockstep.v1\r\n\r\n").utf8)
    }

    /// Listens on a free port of 127.0.0.1.
    init(answer: @escaping @Sendable (_ key: String) -> [UInt8]) throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.listener = listener
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(listener, pointer, length) == 0 && listen(listener, 8) == 0 && getsockname(listener, pointer, &length) == 0
            }
        }
        guard bound else { throw CocoaError(.fileWriteUnknown) }
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread { [self] in
            while true {
                let fd = accept(listener, nil, nil)
                guard fd >= 0 else {
                    // Closed here, not in `stop`: its number must not be reused while this thread waits on it.
                    close(listener)
                    return
                }
                self.connections.add(1, ordering: .relaxed)
                var request: [UInt8] = []
                var byte: UInt8 = 0
                while request.suffix(4) != [13, 10, 13, 10], recv(fd, &byte, 1, 0) == 1 { request.append(byte) }
                let head = String(decoding: request, as: UTF8.self)
                let key = head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("sec-websocket-key:") }
                    .map { String($0.dropFirst("sec-websocket-key:".count)).trimmingCharacters(in: .whitespaces) } ?? ""
                let bytes = answer(key)
                _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                shutdown(fd, Int32(SHUT_WR))
                // Wait for the client to go, then the next connection.
                while recv(fd, &byte, 1, 0) > 0 {}
                close(fd)
            }
        }.start()
    }

    /// Connections accepted so far.
    var accepted: Int { connections.load(ordering: .relaxed) }

    /// Stops accepting (the accept thread wakes up and closes the socket).
    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
    }
}
