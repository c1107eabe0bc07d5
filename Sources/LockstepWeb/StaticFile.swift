import LockstepCrypto

/// One file of the site, read once at start-up: its bytes, media type and entity tag.
struct StaticFile: Sendable {
    let body: [UInt8]
    let contentType: String
    /// A strong entity tag: the first 16 hex digits of the SHA-256 of the bytes, quoted.
    let etag: String

    init(path: String, body: [UInt8]) {
        self.body = body
        contentType = MediaType.forPath(path)
        let digest = SHA256.hash(body).prefix(8)
        let digits = Array("0123456789abcdef")
        etag = "\"" + String(digest.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 15)]] }) + "\""
    }
}
