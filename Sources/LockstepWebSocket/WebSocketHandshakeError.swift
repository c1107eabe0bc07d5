import LockstepHTTP

/// Why an opening handshake was refused (server side) or rejected (client side).
public enum WebSocketHandshakeError: Error, Sendable, Equatable {
    /// The request method is not GET.
    case methodNotGet
    /// The request is not HTTP/1.1 or later.
    case httpVersionTooOld
    /// No `Host` header.
    case missingHost
    /// No `Upgrade: websocket` or no `Connection: Upgrade`.
    case notAnUpgrade
    /// `Sec-WebSocket-Version` is absent or not 13.
    case unsupportedVersion
    /// `Sec-WebSocket-Key` is absent or not the base64 of 16 bytes.
    case invalidKey
    /// The `Origin` is not on the allow-list.
    case originNotAllowed
    /// (Client) the server did not answer 101.
    case unexpectedStatus(Int)
    /// (Client) the `Sec-WebSocket-Accept` does not match our key.
    case invalidAccept
    /// (Client) the server chose a subprotocol we did not offer, or an extension.
    case unexpectedNegotiation

    /// The HTTP response the server sends for this refusal.
    public var response: HTTPResponse {
        switch self {
        case .methodNotGet:
            return .error(.methodNotAllowed, headers: HTTPHeaders([("Allow", "GET")]))
        case .notAnUpgrade:
            return .error(.upgradeRequired, headers: HTTPHeaders([("Upgrade", "websocket")]))
        case .unsupportedVersion:
            return .error(.upgradeRequired, headers: HTTPHeaders([("Sec-WebSocket-Version", "13")]))
        case .originNotAllowed:
            return .error(.forbidden)
        default:
            return .error(.badRequest)
        }
    }

    /// A short stable name for logs and the handshake-failure metric.
    public var reason: String {
        switch self {
        case .methodNotGet: "method"
        case .httpVersionTooOld: "http_version"
        case .missingHost: "missing_host"
        case .notAnUpgrade: "not_upgrade"
        case .unsupportedVersion: "version"
        case .invalidKey: "key"
        case .originNotAllowed: "origin"
        case .unexpectedStatus: "status"
        case .invalidAccept: "accept"
        case .unexpectedNegotiation: "negotiation"
        }
    }
}
