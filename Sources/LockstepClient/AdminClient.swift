import Foundation
import LockstepHTTP

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A minimal blocking HTTP/1.1 client for the admin API (tests and tools on 127.0.0.1).
public struct AdminClient: Sendable {
    public var host: String
    public var port: Int
    public var adminKey: String
    /// Give up on a request after this many seconds.
    public var timeoutSeconds: Int = 10

    public init(host: String = "127.0.0.1", port: Int, adminKey: String) {
        self.host = host
        self.port = port
        self.adminKey = adminKey
    }

    /// A response: status code and body.
    public struct Response: Sendable {
        public var status: Int
        public var body: [UInt8]
        /// The body parsed as a JSON object, if it is one.
        public var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] }
    }

    /// The created room: its id and one token per slot, plus a spectator token.
    public struct CreatedRoom: Sendable {
        public var roomID: String
        public var tokens: [String]
        public var spectatorToken: String
        /// Where to play it (`ws://HOST:PORT/v1/play?room=ID`): `ClientConfiguration(url:token:)` takes it.
        public var url: String
    }

    /// Errors from the client itself (not HTTP statuses).
    public struct Failure: Error, CustomStringConvertible {
        public var description: String

        public init(description: String) {
            self.description = description
        }
    }

    /// `POST /v1/rooms` with `settings` as the JSON body.
    public func createRoom(_ settings: [String: Any]) throws -> CreatedRoom {
        let body = try JSONSerialization.data(withJSONObject: settings)
        let response = try request("POST", "/v1/rooms", body: Array(body))
        guard response.status == 201, let json = response.json, let id = json["roomID"] as? String,
            let tokens = json["tokens"] as? [[String: Any]], let spectator = json["spectatorToken"] as? String,
            let url = json["url"] as? String
        else {
            throw Failure(description: "room creation answered \(response.status): \(String(decoding: response.body, as: UTF8.self))")
        }
        return CreatedRoom(roomID: id, tokens: tokens.compactMap { $0["token"] as? String }, spectatorToken: spectator, url: url)
    }

    /// Sends one request and reads the whole response (the server closes or sends Content-Length).
    public func request(_ method: String, _ path: String, body: [UInt8] = [], headers: [(String, String)] = []) throws -> Response {
        let fd = socket(AF_INET, PlainSocket.streamType, 0)
        guard fd >= 0 else { throw Failure(description: "socket: \(errno)") }
        #if canImport(Darwin)
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, socklen_t(MemoryLayout<Int32>.size))
        #endif
        defer { close(fd) }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, host, &address.sin_addr)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw Failure(description: "connect to \(host):\(port) failed: \(errno)") }
        var head = "\(method) \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nConnection: close\r\n"
        if !adminKey.isEmpty { head += "Authorization: Bearer \(adminKey)\r\n" }
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        head += "Content-Length: \(body.count)\r\n\r\n"
        let bytes = Array(head.utf8) + body
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, PlainSocket.sendFlags) }
            guard count > 0 else { throw Failure(description: "send failed: \(errno)") }
            sent += count
        }
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            received += chunk[0..<count]
            if let response = Self.parse(received) { return response }
        }
        guard let response = Self.parse(received, atEnd: true) else { throw Failure(description: "no complete HTTP response") }
        return response
    }

    static func parse(_ bytes: [UInt8], atEnd: Bool = false) -> Response? {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let headEnd = (0..<max(0, bytes.count - 3)).first(where: { Array(bytes[$0..<$0 + 4]) == separator }) else { return nil }
        let head = String(decoding: bytes[0..<headEnd], as: UTF8.self)
        let lines = head.split(separator: "\r\n")
        guard let statusLine = lines.first, statusLine.split(separator: " ").count >= 2,
            let status = Int(statusLine.split(separator: " ")[1])
        else { return nil }
        let body = Array(bytes[(headEnd + 4)...])
        func header(_ name: String) -> String? {
            lines.dropFirst().compactMap { line -> String? in
                let parts = line.split(separator: ":", maxSplits: 1)
                guard parts.count == 2, parts[0].lowercased() == name else { return nil }
                return parts[1].trimmingCharacters(in: .whitespaces)
            }.first
        }
        // A server may send any response of unknown length chunked (Go's net/http does for
        // bodies over its buffer): decode it (RFC 9112 §7.1).
        if header("transfer-encoding")?.lowercased().hasSuffix("chunked") == true {
            switch HTTPChunkedBody.decode(body[...]) {
            case .complete(let decoded, _): return Response(status: status, body: decoded)
            case .incomplete: return atEnd ? Response(status: status, body: body) : nil
            case .malformed: return Response(status: status, body: body)
            }
        }
        if let length = header("content-length").flatMap({ Int($0) }) {
            return body.count >= length ? Response(status: status, body: Array(body.prefix(length))) : nil
        }
        return atEnd ? Response(status: status, body: body) : nil
    }
}
