/// Turns a request path into the key of a file of the site, refusing anything that could name a
/// file outside it.
///
/// The site is a table of the files read at start-up, so no request ever opens a file; this is
/// a second fence: the path is percent-decoded once (RFC 3986 §2.1), and a path with a `.` or
/// `..` segment, a backslash, a NUL or a bad escape is refused rather than normalised.
enum StaticPath {
    /// Why a path was refused.
    enum Refusal: Error, Equatable {
        case badEncoding
        case forbiddenSegment
    }

    /// The key for `path` (`/` → `index.html`, `/a/` → `a/index.html`, `/a/b.js` → `a/b.js`).
    static func key(for path: Substring) throws(Refusal) -> String {
        let decoded = try percentDecoded(path)
        guard decoded.first == UInt8(ascii: "/") else { throw .forbiddenSegment }
        guard !decoded.contains(0), !decoded.contains(UInt8(ascii: "\\")) else { throw .forbiddenSegment }
        let text = String(decoding: decoded, as: UTF8.self)
        let segments = text.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        for segment in segments where segment == "." || segment == ".." { throw .forbiddenSegment }
        var key = segments.joined(separator: "/")
        if key.isEmpty || key.hasSuffix("/") { key += "index.html" }
        return key
    }

    static func percentDecoded(_ path: Substring) throws(Refusal) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(path.utf8.count)
        var iterator = path.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                throw .badEncoding
            }
            bytes.append(high << 4 | low)
        }
        guard String(validating: bytes, as: UTF8.self) != nil else { throw .badEncoding }
        return bytes
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
