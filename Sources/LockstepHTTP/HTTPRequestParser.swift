/// An incremental HTTP/1.1 request parser with size limits; never traps on any input.
///
/// Feed it the bytes received so far; it answers `.needMoreBytes` until a whole request (head
/// and `Content-Length` body) is there, then `.request` with how many bytes it used. The caller
/// keeps the unused bytes (pipelined requests, or WebSocket frames after an upgrade).
public struct HTTPRequestParser: Sendable {
    /// What one call to `parse` found.
    public enum Result: Sendable {
        /// The bytes hold no complete request yet; call again with more.
        case needMoreBytes
        /// A complete request that used the first `consumed` bytes.
        case request(HTTPRequest, consumed: Int)
    }

    /// The limit on the request line plus headers, in bytes (8 KiB by default, as most servers).
    public var maxHeadBytes: Int
    /// The limit on a `Content-Length` body, in bytes (1 MiB by default: admin API bodies are small).
    public var maxBodyBytes: Int
    private var scannedUpTo = 0
    /// A complete head whose body has not all arrived, kept so that later reads only count bytes:
    /// parsing the head again on every read let a body sent a byte at a time cost a whole head's
    /// parse (up to 8 KiB) per byte.
    private var pending: (request: HTTPRequest, headEnd: Int, bodyLength: Int)?
    /// How many times a head was parsed (tests: once per request, however the bytes arrive).
    private(set) var headParses = 0

    /// Creates a parser with the given limits.
    public init(maxHeadBytes: Int = 8 * 1024, maxBodyBytes: Int = 1024 * 1024) {
        self.maxHeadBytes = maxHeadBytes
        self.maxBodyBytes = maxBodyBytes
    }

    /// Looks for one complete request at the start of `bytes`.
    ///
    /// - Throws: `HTTPParseError` when the bytes cannot be, or cannot become, an acceptable request.
    public mutating func parse(_ bytes: UnsafeRawBufferPointer) throws(HTTPParseError) -> Result {
        if let waiting = pending {
            guard bytes.count - waiting.headEnd >= waiting.bodyLength else { return .needMoreBytes }
            pending = nil
            return complete(waiting.request, bytes, headEnd: waiting.headEnd, bodyLength: waiting.bodyLength)
        }
        guard let headEnd = HTTPHead.endOfHead(in: bytes, from: scannedUpTo) else {
            if bytes.count > maxHeadBytes { throw .headTooLarge(limit: maxHeadBytes) }
            scannedUpTo = max(0, bytes.count - 3)
            return .needMoreBytes
        }
        guard headEnd <= maxHeadBytes else { throw .headTooLarge(limit: maxHeadBytes) }
        headParses += 1
        let (startLine, headers) = try HTTPHead.parse(UnsafeRawBufferPointer(rebasing: bytes[0..<headEnd]))
        let parts = startLine.split(separator: 0x20, omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, parts[0].allSatisfy(HTTPHead.isTokenByte),
            !parts[1].isEmpty, parts[1].allSatisfy({ $0 > 0x20 && $0 != 0x7F })
        else { throw .malformedRequestLine }
        guard parts[2].starts(with: Array("HTTP/".utf8)) else { throw .malformedRequestLine }
        guard let minor = HTTPHead.minorVersion(parts[2]) else { throw .unsupportedVersion }
        if !headers.values("Transfer-Encoding").isEmpty { throw .transferEncodingNotSupported }
        let bodyLength = try contentLength(headers)
        guard bodyLength <= maxBodyBytes else { throw .bodyTooLarge(limit: maxBodyBytes) }
        let request = HTTPRequest(
            method: String(decoding: parts[0], as: UTF8.self), target: String(decoding: parts[1], as: UTF8.self),
            minorVersion: minor, headers: headers)
        guard bytes.count - headEnd >= bodyLength else {
            pending = (request, headEnd, bodyLength)
            return .needMoreBytes
        }
        return complete(request, bytes, headEnd: headEnd, bodyLength: bodyLength)
    }

    /// The request with its body, once every byte of it is in `bytes`; ready for the next request.
    private mutating func complete(_ head: HTTPRequest, _ bytes: UnsafeRawBufferPointer, headEnd: Int, bodyLength: Int) -> Result {
        scannedUpTo = 0
        var request = head
        request.body = Array(bytes[headEnd..<headEnd + bodyLength])
        return .request(request, consumed: headEnd + bodyLength)
    }

    private func contentLength(_ headers: HTTPHeaders) throws(HTTPParseError) -> Int {
        let values = headers.tokens("Content-Length")
        guard let first = values.first else { return 0 }
        // Repeats are allowed only when they agree (RFC 9112 section 6.3).
        guard values.allSatisfy({ $0 == first }), first.utf8.count <= 18, first.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
            let length = Int(first)
        else { throw .invalidContentLength }
        return length
    }
}
