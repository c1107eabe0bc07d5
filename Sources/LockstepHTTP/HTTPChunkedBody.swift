/// Decodes a body sent with `Transfer-Encoding: chunked` (RFC 9112 §7.1): chunks of
/// `size-in-hex [;extensions] CRLF data CRLF`, ended by a chunk of size 0, optional trailer
/// fields and a CRLF. Used by the clients that read responses (a server may choose chunked
/// framing for any HTTP/1.1 response whose length it did not know up front).
public enum HTTPChunkedBody {
    /// What decoding found.
    public enum Result: Equatable, Sendable {
        /// The whole body, and how many bytes of the input it took (the framing included).
        case complete(body: [UInt8], consumed: Int)
        /// The bytes end before the last chunk: read more.
        case incomplete
        /// The bytes are not chunked framing (a bad size line, a chunk not followed by CRLF, or
        /// a size over `maxBodyBytes`).
        case malformed
    }

    /// Decodes the chunked body at the start of `bytes`, up to `maxBodyBytes` of data.
    public static func decode(_ bytes: ArraySlice<UInt8>, maxBodyBytes: Int = 16 * 1024 * 1024) -> Result {
        var body: [UInt8] = []
        var index = bytes.startIndex
        while true {
            // A size line (with extensions) over 1 KiB is not one a server sends.
            guard let lineEnd = crlf(in: bytes, from: index) else {
                return bytes.endIndex - index > 1024 ? .malformed : .incomplete
            }
            // The size, in hex, up to an optional ";extension" (ignored, as RFC 9112 allows).
            var size = 0
            var digits = 0
            var cursor = index
            while cursor < lineEnd, let digit = hexValue(bytes[cursor]) {
                size = size * 16 + digit
                digits += 1
                guard size <= maxBodyBytes else { return .malformed }
                cursor += 1
            }
            guard digits > 0,
                cursor == lineEnd || bytes[cursor] == UInt8(ascii: ";") || bytes[cursor] == UInt8(ascii: " ")
            else {
                return .malformed
            }
            index = lineEnd + 2
            if size == 0 {
                // Trailer fields (ignored) until an empty line.
                while true {
                    guard let end = crlf(in: bytes, from: index) else { return .incomplete }
                    let empty = end == index
                    index = end + 2
                    if empty { return .complete(body: body, consumed: index - bytes.startIndex) }
                }
            }
            guard body.count + size <= maxBodyBytes else { return .malformed }
            guard bytes.endIndex - index >= size + 2 else { return .incomplete }
            body += bytes[index..<index + size]
            index += size
            guard bytes[index] == 13, bytes[index + 1] == 10 else { return .malformed }
            index += 2
        }
    }

    private static func crlf(in bytes: ArraySlice<UInt8>, from start: Int) -> Int? {
        var index = start
        while index + 1 < bytes.endIndex {
            if bytes[index] == 13 && bytes[index + 1] == 10 { return index }
            index += 1
        }
        return nil
    }

    private static func hexValue(_ byte: UInt8) -> Int? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): Int(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): Int(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): Int(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }
}
