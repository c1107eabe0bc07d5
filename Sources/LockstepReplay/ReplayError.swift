/// A replay file that cannot be read: where (byte offset from the start of the file) and what.
public struct ReplayError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What was wrong.
    public enum Problem: Equatable, Sendable {
        /// The file does not start with the replay magic.
        case badMagic
        /// The format version is not one this reader knows.
        case unsupportedVersion(UInt16)
        /// A record's CRC-32 does not match its bytes.
        case checksumMismatch(expected: UInt32, actual: UInt32)
        /// The file ends inside a record or before the footer.
        case truncated(String)
        /// A field holds a value the format does not allow.
        case malformed(String)
        /// The file could not be read or written.
        case io(String)
        /// A replay was to be created at a path where a file already exists (never overwritten).
        case fileExists(String)
    }

    /// The byte offset from the start of the file where the problem was found.
    public var offset: Int
    /// What was wrong.
    public var problem: Problem

    public init(offset: Int, problem: Problem) {
        self.offset = offset
        self.problem = problem
    }

    public var description: String {
        switch problem {
        case .badMagic: "offset \(offset): not a Lockstep replay (bad magic)"
        case .unsupportedVersion(let version): "offset \(offset): unsupported replay format version \(version)"
        case .checksumMismatch(let expected, let actual):
            "offset \(offset): record checksum mismatch (stored \(hex32(expected)), computed \(hex32(actual)))"
        case .truncated(let what): "offset \(offset): truncated: \(what)"
        case .malformed(let what): "offset \(offset): malformed: \(what)"
        case .io(let what): "I/O error: \(what)"
        case .fileExists(let path): "\(path) already exists: a replay is never overwritten"
        }
    }
}

func hex32(_ value: UInt32) -> String {
    let digits = String(value, radix: 16)
    return "0x" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits
}

/// A 64-bit value as `0x` and 16 hex digits.
public func hex64(_ value: UInt64) -> String {
    let digits = String(value, radix: 16)
    return "0x" + String(repeating: "0", count: max(0, 16 - digits.count)) + digits
}
