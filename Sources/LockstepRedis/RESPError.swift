/// Why bytes from a server are not valid RESP2 (the connection is then unusable and is closed).
public enum RESPError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A type byte that is none of `+ - : $ *`.
    case unknownType(UInt8)
    /// A length or integer that is not a decimal number, or is out of range.
    case badNumber(String)
    /// A bulk string not followed by CRLF, or a line with a bare CR or LF.
    case badTerminator
    /// A bulk string or array larger than the decoder accepts.
    case tooLarge(Int64)
    /// Arrays nested deeper than the decoder accepts.
    case tooDeep

    public var description: String {
        switch self {
        case .unknownType(let byte): "unknown RESP type byte 0x\(String(byte, radix: 16))"
        case .badNumber(let text): "bad RESP number '\(text)'"
        case .badTerminator: "missing CRLF"
        case .tooLarge(let length): "RESP length \(length) over the limit"
        case .tooDeep: "RESP arrays nested too deeply"
        }
    }
}
