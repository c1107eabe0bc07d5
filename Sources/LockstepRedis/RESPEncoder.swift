/// Encodes RESP2 values and commands (pure: bytes in, bytes out).
public enum RESPEncoder {
    /// A command as Redis expects it: an array of bulk strings (`*N\r\n` then `$len\r\narg\r\n` each).
    public static func command(_ arguments: [String]) -> [UInt8] {
        var bytes: [UInt8] = []
        appendCommand(arguments.map { Array($0.utf8) }, to: &bytes)
        return bytes
    }

    /// Appends a command whose arguments are raw bytes (binary-safe) to `bytes`.
    public static func appendCommand(_ arguments: [[UInt8]], to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "*"))
        appendNumber(Int64(arguments.count), to: &bytes)
        for argument in arguments {
            bytes.append(UInt8(ascii: "$"))
            appendNumber(Int64(argument.count), to: &bytes)
            bytes += argument
            bytes += [13, 10]
        }
    }

    /// Any value in its RESP2 form (used by tests and fakes to play the server's part).
    public static func encode(_ value: RESPValue) -> [UInt8] {
        var bytes: [UInt8] = []
        append(value, to: &bytes)
        return bytes
    }

    private static func append(_ value: RESPValue, to bytes: inout [UInt8]) {
        switch value {
        case .simpleString(let text):
            bytes.append(UInt8(ascii: "+"))
            bytes += text.utf8
            bytes += [13, 10]
        case .error(let text):
            bytes.append(UInt8(ascii: "-"))
            bytes += text.utf8
            bytes += [13, 10]
        case .integer(let number):
            bytes.append(UInt8(ascii: ":"))
            appendNumber(number, to: &bytes)
        case .bulkString(nil):
            bytes += Array("$-1\r\n".utf8)
        case .bulkString(let payload?):
            bytes.append(UInt8(ascii: "$"))
            appendNumber(Int64(payload.count), to: &bytes)
            bytes += payload
            bytes += [13, 10]
        case .array(nil):
            bytes += Array("*-1\r\n".utf8)
        case .array(let elements?):
            bytes.append(UInt8(ascii: "*"))
            appendNumber(Int64(elements.count), to: &bytes)
            for element in elements { append(element, to: &bytes) }
        }
    }

    private static func appendNumber(_ number: Int64, to bytes: inout [UInt8]) {
        bytes += String(number).utf8
        bytes += [13, 10]
    }
}
