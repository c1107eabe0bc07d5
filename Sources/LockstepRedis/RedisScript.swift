import LockstepCrypto

/// A Lua script run with `EVALSHA` (its SHA-1), falling back to `EVAL` when the server does not
/// have it cached yet (`NOSCRIPT`: a fresh or restarted server).
public struct RedisScript: Sendable {
    /// The Lua source.
    public let source: String
    /// The lowercase hex SHA-1 of the source, as `SCRIPT LOAD` answers it.
    public let sha1: String

    public init(_ source: String) {
        self.source = source
        let digits = Array("0123456789abcdef")
        sha1 = String(SHA1.hash(Array(source.utf8)).flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 15)]] })
    }
}
