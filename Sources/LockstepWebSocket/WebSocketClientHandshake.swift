import LockstepCrypto
import LockstepHTTP

/// The client side of the RFC 6455 opening handshake (section 4.1): the request and the checks on the answer.
public struct WebSocketClientHandshake: Sendable {
    /// The `Sec-WebSocket-Key` sent: base64 of 16 random bytes.
    public let key: String
    /// The `Host` header value, for example `127.0.0.1:8080`.
    public var host: String
    /// The request target, for example `/echo`.
    public var path: String
    /// The subprotocols offered, in order of preference.
    public var subprotocols: [String]

    /// Creates a handshake with a fresh random key from `generator`.
    public init(
        host: String, path: String, subprotocols: [String] = [],
        using generator: inout some RandomNumberGenerator
    ) {
        let nonce = (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
        key = Base64.encode(nonce)
        self.host = host
        self.path = path
        self.subprotocols = subprotocols
    }

    /// Creates a handshake with a key from the system's secure generator.
    public init(host: String, path: String, subprotocols: [String] = []) {
        var generator = SystemRandomNumberGenerator()
        self.init(host: host, path: path, subprotocols: subprotocols, using: &generator)
    }

    /// The upgrade request bytes.
    public func requestBytes() -> [UInt8] {
        var text = "GET \(path) HTTP/1.1\r\nHost: \(host)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        text += "Sec-WebSocket-Key: \(key)\r\nSec-WebSocket-Version: 13\r\n"
        if !subprotocols.isEmpty { text += "Sec-WebSocket-Protocol: \(subprotocols.joined(separator: ", "))\r\n" }
        return Array((text + "\r\n").utf8)
    }

    /// Checks the server's answer.
    ///
    /// - Returns: the subprotocol the server chose, if any.
    /// - Throws: `WebSocketHandshakeError` when the answer does not complete the handshake.
    public func validate(_ head: HTTPResponseHead) throws(WebSocketHandshakeError) -> String? {
        guard head.statusCode == 101 else { throw .unexpectedStatus(head.statusCode) }
        guard head.headers.contains("Upgrade", token: "websocket"), head.headers.contains("Connection", token: "upgrade")
        else { throw .notAnUpgrade }
        guard head.headers.first("Sec-WebSocket-Accept") == WebSocketServerHandshake.acceptValue(forKey: key) else {
            throw .invalidAccept
        }
        guard head.headers.values("Sec-WebSocket-Extensions").isEmpty else { throw .unexpectedNegotiation }
        let chosen = head.headers.first("Sec-WebSocket-Protocol")
        if let chosen, !subprotocols.contains(chosen) { throw .unexpectedNegotiation }
        return chosen
    }
}
