/// A parsed HTTP/1.1 response head (status line and headers), used by clients such as the WebSocket handshake.
public struct HTTPResponseHead: Sendable {
    /// The status code.
    public var statusCode: Int
    /// The header fields.
    public var headers: HTTPHeaders

    /// Parses a response head at the start of `bytes`.
    ///
    /// - Returns: the head and the bytes it used, or `nil` when the head is not complete yet.
    /// - Throws: `HTTPParseError` when the bytes are not a response head within `maxHeadBytes`.
    public static func parse(_ bytes: UnsafeRawBufferPointer, maxHeadBytes: Int = 8 * 1024) throws(HTTPParseError) -> (HTTPResponseHead, consumed: Int)? {
        guard let end = HTTPHead.endOfHead(in: bytes, from: 0) else {
            if bytes.count > maxHeadBytes { throw .headTooLarge(limit: maxHeadBytes) }
            return nil
        }
        guard end <= maxHeadBytes else { throw .headTooLarge(limit: maxHeadBytes) }
        let (startLine, headers) = try HTTPHead.parse(UnsafeRawBufferPointer(rebasing: bytes[0..<end]))
        let parts = startLine.split(separator: 0x20, maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, HTTPHead.minorVersion(parts[0]) != nil, parts[1].count == 3,
            parts[1].allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
            let code = Int(String(decoding: parts[1], as: UTF8.self))
        else { throw .malformedRequestLine }
        return (HTTPResponseHead(statusCode: code, headers: headers), end)
    }
}
