/// SHA-1 (FIPS 180-4), incremental.
///
/// Used only where a protocol requires it: the WebSocket `Sec-WebSocket-Accept` key. SHA-1 is not
/// collision resistant; use `SHA256` for anything that needs security.
public struct SHA1: Sendable {
    /// The digest length in bytes.
    public static let digestByteCount = 20

    private var hasher = MerkleDamgardHasher(SHA1Compression())

    /// Creates a hasher with the FIPS 180-4 initial state.
    public init() {}

    /// Feeds `bytes` into the hash.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        hasher.update(bytes)
    }

    /// Feeds `bytes` into the hash.
    public mutating func update(_ bytes: some Sequence<UInt8>) {
        let array = Array(bytes)
        array.withUnsafeBytes { hasher.update($0) }
    }

    /// Pads the input and returns the 20-byte digest; the hasher must not be used afterwards.
    public mutating func finalize() -> [UInt8] {
        hasher.finalize()
    }

    /// The SHA-1 digest of `bytes`.
    public static func hash(_ bytes: some Sequence<UInt8>) -> [UInt8] {
        var sha = SHA1()
        sha.update(bytes)
        return sha.finalize()
    }
}


struct SHA1Compression: MerkleDamgardCompression, Sendable {
    private var h0: UInt32 = 0x6745_2301
    private var h1: UInt32 = 0xEFCD_AB89
    private var h2: UInt32 = 0x98BA_DCFE
    private var h3: UInt32 = 0x1032_5476
    private var h4: UInt32 = 0xC3D2_E1F0

    mutating func compress(_ block: UnsafeRawBufferPointer) {
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 80) { w in
            for t in 0..<16 { w[t] = UInt32.bigEndian(block, word: t) }
            for t in 16..<80 { w[t] = (w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16]).rotatedLeft(1) }
            var a = h0, b = h1, c = h2, d = h3, e = h4
            for t in 0..<80 {
                let f: UInt32
                let k: UInt32
                switch t {
                case 0..<20: f = (b & c) | (~b & d); k = 0x5A82_7999
                case 20..<40: f = b ^ c ^ d; k = 0x6ED9_EBA1
                case 40..<60: f = (b & c) | (b & d) | (c & d); k = 0x8F1B_BCDC
                default: f = b ^ c ^ d; k = 0xCA62_C1D6
                }
                let temp = a.rotatedLeft(5) &+ f &+ e &+ k &+ w[t]
                e = d
                d = c
                c = b.rotatedLeft(30)
                b = a
                a = temp
            }
            h0 &+= a; h1 &+= b; h2 &+= c; h3 &+= d; h4 &+= e
        }
    }

    var digest: [UInt8] {
        [h0, h1, h2, h3, h4].flatMap(\.bigEndianBytes)
    }
}
