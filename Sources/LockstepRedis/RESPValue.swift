/// One value of RESP2, the Redis serialization protocol (https://redis.io/docs/latest/develop/reference/protocol-spec/).
///
/// RESP2 has five types, each introduced by its first byte: simple strings (`+`), errors (`-`),
/// integers (`:`), bulk strings (`$`, binary-safe, or the null bulk string `$-1`) and arrays (`*`,
/// or the null array `*-1`). Commands go to the server as arrays of bulk strings.
public enum RESPValue: Equatable, Sendable {
    case simpleString(String)
    case error(String)
    case integer(Int64)
    /// A bulk string; `nil` is the null bulk string (`$-1\r\n`), for example a missing key's GET.
    case bulkString([UInt8]?)
    /// An array; `nil` is the null array (`*-1\r\n`).
    case array([RESPValue]?)

    /// The value as text: a simple string, a bulk string decoded as UTF-8, or an integer's digits.
    public var string: String? {
        switch self {
        case .simpleString(let text): text
        case .bulkString(let bytes?): String(decoding: bytes, as: UTF8.self)
        case .integer(let value): String(value)
        default: nil
        }
    }

    /// The value as an integer: an integer, or a string of digits.
    public var integer: Int64? {
        switch self {
        case .integer(let value): value
        default: string.flatMap { Int64($0) }
        }
    }

    /// The elements of a (non-null) array.
    public var array: [RESPValue]? {
        if case .array(let elements?) = self { return elements }
        return nil
    }

    /// The error text, when the value is an error reply.
    public var errorMessage: String? {
        if case .error(let text) = self { return text }
        return nil
    }

    /// Whether the value is the null bulk string or the null array.
    public var isNull: Bool {
        switch self {
        case .bulkString(nil), .array(nil): true
        default: false
        }
    }
}
