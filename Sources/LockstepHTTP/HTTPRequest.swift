/// A parsed HTTP/1.1 request: the request line, the header fields and the body (if any).
public struct HTTPRequest: Sendable {
    /// The method token, for example `GET`.
    public var method: String
    /// The request target as sent, for example `/echo?x=1`.
    public var target: String
    /// The minor version of HTTP/1.x (`1` for HTTP/1.1).
    public var minorVersion: Int
    /// The header fields.
    public var headers: HTTPHeaders
    /// The body, read by `Content-Length` (empty without one).
    public var body: [UInt8]

    /// Creates a request.
    public init(method: String, target: String, minorVersion: Int = 1, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.method = method
        self.target = target
        self.minorVersion = minorVersion
        self.headers = headers
        self.body = body
    }

    /// The target without its query string.
    public var path: Substring {
        target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? Substring(target)
    }

    /// Whether the client asked to keep the connection open (the HTTP/1.1 default unless `Connection: close`).
    public var keepAlive: Bool {
        if headers.contains("Connection", token: "close") { return false }
        return minorVersion >= 1 || headers.contains("Connection", token: "keep-alive")
    }
}
