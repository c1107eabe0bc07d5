/// Why the bytes a peer sent are not an acceptable HTTP/1.1 request; each maps to a response status.
public enum HTTPParseError: Error, Sendable, Equatable {
    /// The request line is not `METHOD SP target SP HTTP/1.x`.
    case malformedRequestLine
    /// A header line is not `name: value`, or holds forbidden bytes.
    case malformedHeader
    /// The request line and headers exceed the head limit.
    case headTooLarge(limit: Int)
    /// `Content-Length` is missing a number, repeated with different values, or negative.
    case invalidContentLength
    /// The declared body exceeds the body limit.
    case bodyTooLarge(limit: Int)
    /// `Transfer-Encoding` was used; only `Content-Length` bodies are supported.
    case transferEncodingNotSupported
    /// The version is not HTTP/1.0 or HTTP/1.1.
    case unsupportedVersion

    /// The status to answer with.
    public var status: HTTPStatus {
        switch self {
        case .malformedRequestLine, .malformedHeader, .invalidContentLength: .badRequest
        case .headTooLarge: .requestHeaderFieldsTooLarge
        case .bodyTooLarge: .contentTooLarge
        case .transferEncodingNotSupported: .notImplemented
        case .unsupportedVersion: .httpVersionNotSupported
        }
    }

    /// A short stable name for logs and metrics.
    public var reason: String {
        switch self {
        case .malformedRequestLine: "malformed_request_line"
        case .malformedHeader: "malformed_header"
        case .headTooLarge: "head_too_large"
        case .invalidContentLength: "invalid_content_length"
        case .bodyTooLarge: "body_too_large"
        case .transferEncodingNotSupported: "transfer_encoding"
        case .unsupportedVersion: "unsupported_version"
        }
    }
}
