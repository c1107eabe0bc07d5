/// An HTTP/1.1 response to serialize: status, headers and a body.
public struct HTTPResponse: Sendable {
    /// The status line's code and reason.
    public var status: HTTPStatus
    /// The header fields; `Content-Length` is added by `serialized()` unless the status forbids a body.
    public var headers: HTTPHeaders
    /// The body bytes.
    public var body: [UInt8]

    /// Creates a response.
    public init(status: HTTPStatus, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A `text/plain` response with `text` as the body.
    public static func text(_ status: HTTPStatus, _ text: String, headers: HTTPHeaders = HTTPHeaders()) -> HTTPResponse {
        var headers = headers
        headers.replaceOrAdd(name: "Content-Type", value: "text/plain; charset=utf-8")
        return HTTPResponse(status: status, headers: headers, body: Array(text.utf8))
    }

    /// An error response whose body is the status line's reason, closing the connection.
    public static func error(_ status: HTTPStatus, headers: HTTPHeaders = HTTPHeaders()) -> HTTPResponse {
        var response = text(status, "\(status.code) \(status.reason)\n", headers: headers)
        response.headers.replaceOrAdd(name: "Connection", value: "close")
        return response
    }

    /// The response as bytes for the wire.
    ///
    /// - Parameter includingBody: `false` for the answer to a `HEAD` request: the same head,
    ///   `Content-Length` included, and no body (RFC 9110 §9.3.2).
    public func serialized(includingBody: Bool = true) -> [UInt8] {
        var text = "HTTP/1.1 \(status.code) \(status.reason)\r\n"
        for field in headers where !HTTPHeaders.sameName(field.name, "Content-Length") {
            text += "\(field.name): \(field.value)\r\n"
        }
        // 204 and 304 carry no body; a 304's length would have to be the full response's (RFC 9110 §8.6).
        let hasBody = status.code >= 200 && status.code != 204 && status.code != 304
        if hasBody {
            text += "Content-Length: \(body.count)\r\n"
        }
        text += "\r\n"
        return Array(text.utf8) + (hasBody && includingBody ? body : [])
    }
}
