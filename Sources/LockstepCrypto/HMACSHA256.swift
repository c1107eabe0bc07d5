/// HMAC (RFC 2104) over SHA-256, checked against the RFC 4231 test cases.
public struct HMACSHA256: Sendable {
    private var inner: SHA256
    private var outerKeyPad: [UInt8]

    /// Starts a MAC keyed with `key`; keys longer than the block are hashed first, as RFC 2104 says.
    public init(key: some Sequence<UInt8>) {
        var keyBytes = Array(key)
        if keyBytes.count > SHA256.blockByteCount { keyBytes = SHA256.hash(keyBytes) }
        keyBytes.append(contentsOf: repeatElement(0, count: SHA256.blockByteCount - keyBytes.count))
        inner = SHA256()
        inner.update(keyBytes.map { $0 ^ 0x36 })
        outerKeyPad = keyBytes.map { $0 ^ 0x5c }
    }

    /// Feeds `bytes` into the MAC.
    public mutating func update(_ bytes: some Sequence<UInt8>) {
        inner.update(bytes)
    }

    /// Returns the 32-byte tag; the value must not be used afterwards.
    public mutating func finalize() -> [UInt8] {
        let innerDigest = inner.finalize()
        var outer = SHA256()
        outer.update(outerKeyPad)
        outer.update(innerDigest)
        return outer.finalize()
    }

    /// The HMAC-SHA256 tag of `message` under `key`.
    public static func authenticationCode(for message: some Sequence<UInt8>, key: some Sequence<UInt8>) -> [UInt8] {
        var mac = HMACSHA256(key: key)
        mac.update(message)
        return mac.finalize()
    }
}
