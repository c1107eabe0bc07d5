/// Decodes RESP2 replies from a byte stream, one value at a time (pure: no I/O).
///
/// Feed it what the socket returned with `append`, then call `next()` until it answers `nil`
/// ("need more bytes", not an error). A partial value never moves the read position, so bytes may
/// arrive split anywhere. Lengths from the peer are checked before they size anything.
public struct RESPDecoder: Sendable {
    private var buffer: [UInt8] = []
    private var start = 0
    /// The largest bulk string accepted (64 MiB; Redis's own limit is 512 MB, far above what the
    /// cluster's replies hold).
    public var maxBulkLength: Int64 = 64 * 1024 * 1024
    /// The most elements of one array (1,048,576).
    public var maxArrayCount: Int64 = 1 << 20
    /// The deepest nesting of arrays (32: the cluster's replies nest two deep).
    public var maxDepth = 32

    public init() {}

    /// Bytes buffered and not yet decoded.
    public var bufferedCount: Int { buffer.count - start }

    /// Adds bytes read from the server.
    public mutating func append<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        if start > 0 && start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next complete value, or `nil` when more bytes are needed.
    ///
    /// - Throws: `RESPError` when the bytes are not RESP2 (the stream cannot be resynchronised).
    public mutating func next() throws(RESPError) -> RESPValue? {
        var position = start
        guard let value = try parse(at: &position, depth: 0) else { return nil }
        start = position
        if start > 4096 && start * 2 > buffer.count {
            buffer.removeFirst(start)
            start = 0
        }
        return value
    }

    private func parse(at position: inout Int, depth: Int) throws(RESPError) -> RESPValue? {
        guard depth <= maxDepth else { throw .tooDeep }
        guard position < buffer.count else { return nil }
        let type = buffer[position]
        var cursor = position + 1
        guard let line = try readLine(at: &cursor) else { return nil }
        switch type {
        case UInt8(ascii: "+"):
            position = cursor
            return .simpleString(String(decoding: line, as: UTF8.self))
        case UInt8(ascii: "-"):
            position = cursor
            return .error(String(decoding: line, as: UTF8.self))
        case UInt8(ascii: ":"):
            let number = try Self.number(line)
            position = cursor
            return .integer(number)
        case UInt8(ascii: "$"):
            let length = try Self.number(line)
            if length == -1 {
                position = cursor
                return .bulkString(nil)
            }
            guard length >= 0 else { throw .badNumber(String(length)) }
            guard length <= maxBulkLength else { throw .tooLarge(length) }
            let end = cursor + Int(length)
            guard end + 2 <= buffer.count else { return nil }
            guard buffer[end] == 13, buffer[end + 1] == 10 else { throw .badTerminator }
            let payload = Array(buffer[cursor..<end])
            position = end + 2
            return .bulkString(payload)
        case UInt8(ascii: "*"):
            let count = try Self.number(line)
            if count == -1 {
                position = cursor
                return .array(nil)
            }
            guard count >= 0 else { throw .badNumber(String(count)) }
            guard count <= maxArrayCount else { throw .tooLarge(count) }
            var elements: [RESPValue] = []
            // Reserve by what is buffered, never by the peer's count alone.
            elements.reserveCapacity(min(Int(count), (buffer.count - cursor) / 3 + 1))
            for _ in 0..<count {
                guard let element = try parse(at: &cursor, depth: depth + 1) else { return nil }
                elements.append(element)
            }
            position = cursor
            return .array(elements)
        default:
            throw .unknownType(type)
        }
    }

    /// The bytes up to the next CRLF (without it), advancing past it; `nil` when no CRLF yet.
    private func readLine(at cursor: inout Int) throws(RESPError) -> ArraySlice<UInt8>? {
        var index = cursor
        while index < buffer.count {
            if buffer[index] == 13 {
                guard index + 1 < buffer.count else { return nil }
                guard buffer[index + 1] == 10 else { throw .badTerminator }
                let line = buffer[cursor..<index]
                cursor = index + 2
                return line
            }
            if buffer[index] == 10 { throw .badTerminator }
            index += 1
        }
        return nil
    }

    private static func number(_ line: ArraySlice<UInt8>) throws(RESPError) -> Int64 {
        let text = String(decoding: line, as: UTF8.self)
        guard !line.isEmpty, line.count <= 20, let value = Int64(text) else { throw .badNumber(text) }
        return value
    }
}
