import LockstepCrypto
import LockstepHTTP

/// The server side of the RFC 6455 opening handshake (section 4.2).
public struct WebSocketServerHandshake: Sendable {
    /// The subprotocols this endpoint speaks, in order of preference.
    public var subprotocols: [String]
    /// The allowed `Origin` values, or `nil` to accept any origin (and requests without one).
    public var allowedOrigins: [String]?

    /// Creates a handshake policy.
    public init(subprotocols: [String] = [], allowedOrigins: [String]? = nil) {
        self.subprotocols = subprotocols
        self.allowedOrigins = allowedOrigins
    }

    /// The `Sec-WebSocket-Accept` value for a client key: base64(SHA-1(key + the RFC's GUID)).
    public static func acceptValue(forKey key: String) -> String {
        Base64.encode(SHA1.hash(Array((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").utf8)))
    }

    /// The successful outcome: the 101 response and the negotiated subprotocol.
    public struct Accepted: Sendable {
        /// The `101 Switching Protocols` response to send.
        public var response: HTTPResponse
        /// The subprotocol chosen, if the client offered one we speak.
        public var subprotocol: String?
    }

    /// Checks an upgrade request and builds the 101 response.
    ///
    /// Extensions such as `permessage-deflate` are declined by leaving them out of the response.
    /// - Throws: `WebSocketHandshakeError`, whose `response` is the refusal to send.
    public func accept(_ request: HTTPRequest) throws(WebSocketHandshakeError) -> Accepted {
        guard request.method == "GET" else { throw .methodNotGet }
        guard request.minorVersion >= 1 else { throw .httpVersionTooOld }
        guard request.headers.first("Host") != nil else { throw .missingHost }
        guard request.headers.contains("Upgrade", token: "websocket"),
            request.headers.contains("Connection", token: "upgrade")
        else { throw .notAnUpgrade }
        guard request.headers.values("Sec-WebSocket-Version") == ["13"] else { throw .unsupportedVersion }
        let keys = request.headers.values("Sec-WebSocket-Key")
        guard keys.count == 1, let key = keys.first, Base64.decode(key)?.count == 16 else { throw .invalidKey }
        if let allowedOrigins {
            guard let origin = request.headers.first("Origin"), allowedOrigins.contains(origin) else {
                throw .originNotAllowed
            }
        }
        let offered = request.headers.tokens("Sec-WebSocket-Protocol")
        let chosen = subprotocols.first { offered.contains($0) }
        var headers = HTTPHeaders([
            ("Upgrade", "websocket"), ("Connection", "Upgrade"), ("Sec-WebSocket-Accept", Self.acceptValue(forKey: key)),
        ])
        if let chosen { headers.add(name: "Sec-WebSocket-Protocol", value: chosen) }
        return Accepted(response: HTTPResponse(status: .switchingProtocols, headers: headers), subprotocol: chosen)
    }
}
