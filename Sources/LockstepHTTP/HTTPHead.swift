/// Splitting an HTTP message head into its start line and header fields, shared by requests and responses.
enum HTTPHead {
    /// The index just past the `CRLF CRLF` that ends a head in `bytes`, searching from `start`, or `nil`.
    static func endOfHead(in bytes: UnsafeRawBufferPointer, from start: Int) -> Int? {
        var index = max(start, 3)
        while index < bytes.count {
            // Look at the last byte of a candidate terminator first: most bytes are not LF.
            if bytes[index] == 0x0A, bytes[index - 1] == 0x0D, bytes[index - 2] == 0x0A, bytes[index - 3] == 0x0D {
                return index + 1
            }
            index += 1
        }
        return nil
    }

    /// Splits a head (without its final empty line) into the start line and parsed header fields.
    static func parse(_ head: UnsafeRawBufferPointer) throws(HTTPParseError) -> (startLine: ArraySlice<UInt8>, headers: HTTPHeaders) {
        let bytes = Array(head)
        var lines: [ArraySlice<UInt8>] = []
        var lineStart = 0
        var index = 0
        while index < bytes.count {
            if bytes[index] == 0x0A {
                guard index > lineStart, bytes[index - 1] == 0x0D else { throw .malformedHeader }
                lines.append(bytes[lineStart..<index - 1])
                lineStart = index + 1
            }
            index += 1
        }
        if lineStart < bytes.count { lines.append(bytes[lineStart...]) }
        while let last = lines.last, last.isEmpty { lines.removeLast() }
        guard let startLine = lines.first else { throw .malformedHeader }
        var headers = HTTPHeaders()
        for line in lines.dropFirst() {
            headers.add(try headerField(line))
        }
        return (startLine, headers)
    }

    private static func headerField(_ line: ArraySlice<UInt8>) throws(HTTPParseError) -> (String, String) {
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > line.startIndex else { throw .malformedHeader }
        let name = line[line.startIndex..<colon]
        guard name.allSatisfy(isTokenByte) else { throw .malformedHeader }
        let value = line[(colon + 1)...]
        // Field values may hold visible bytes, spaces, tabs and obs-text; never NUL, CR or LF or other controls.
        guard value.allSatisfy({ $0 == 0x09 || ($0 >= 0x20 && $0 != 0x7F) }) else { throw .malformedHeader }
        return (String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self).trimmingHTTPWhitespace())
    }

    /// Whether `byte` is an RFC 9110 `tchar`.
    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        default:
            Array("!#$%&'*+-.^_`|~".utf8).contains(byte)
        }
    }

    /// The minor version of `HTTP/1.x`, or `nil` for anything else.
    static func minorVersion(_ text: ArraySlice<UInt8>) -> Int? {
        let prefix = Array("HTTP/1.".utf8)
        guard text.count == 8, text.starts(with: prefix), let last = text.last,
            last >= UInt8(ascii: "0"), last <= UInt8(ascii: "9")
        else { return nil }
        return Int(last - UInt8(ascii: "0"))
    }
}

extension HTTPHeaders {
    mutating func add(_ field: (String, String)) {
        add(name: field.0, value: field.1)
    }
}
