/// The compression step of a Merkle–Damgård hash with 64-byte blocks and a big-endian bit length.
protocol MerkleDamgardCompression {
    /// Folds one 64-byte block into the state.
    mutating func compress(_ block: UnsafeRawBufferPointer)
    /// The digest once the padding has been compressed.
    var digest: [UInt8] { get }
}

/// Buffers input into 64-byte blocks and applies the FIPS 180 padding; shared by SHA-1 and SHA-256.
struct MerkleDamgardHasher<Compression: MerkleDamgardCompression & Sendable>: Sendable {
    private var compression: Compression
    private var block = [UInt8](repeating: 0, count: 64)
    private var blockCount = 0
    private var totalBytes: UInt64 = 0

    init(_ compression: Compression) {
        self.compression = compression
    }

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        // An empty buffer may have no base address; there is nothing to hash anyway.
        guard bytes.count > 0, bytes.baseAddress != nil else { return }
        totalBytes &+= UInt64(bytes.count)
        var offset = 0
        if blockCount > 0 {
            let take = min(64 - blockCount, bytes.count)
            block.withUnsafeMutableBytes { destination in
                (destination.baseAddress! + blockCount).copyMemory(from: bytes.baseAddress!, byteCount: take)
            }
            blockCount += take
            offset = take
            if blockCount == 64 {
                block.withUnsafeBytes { compression.compress($0) }
                blockCount = 0
            }
        }
        while bytes.count - offset >= 64 {
            compression.compress(UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + 64]))
            offset += 64
        }
        let rest = bytes.count - offset
        if rest > 0 {
            block.withUnsafeMutableBytes { destination in
                destination.baseAddress!.copyMemory(from: bytes.baseAddress! + offset, byteCount: rest)
            }
            blockCount = rest
        }
    }

    mutating func finalize() -> [UInt8] {
        let bitLength = totalBytes &* 8
        var padding: [UInt8] = [0x80]
        let afterOne = (blockCount + 1) % 64
        let zeros = afterOne <= 56 ? 56 - afterOne : 120 - afterOne
        padding.append(contentsOf: repeatElement(0, count: zeros))
        for shift in stride(from: 56, through: 0, by: -8) {
            padding.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift)))
        }
        let savedTotal = totalBytes
        padding.withUnsafeBytes { update($0) }
        totalBytes = savedTotal
        return compression.digest
    }
}

extension UInt32 {
    @inline(__always)
    func rotatedLeft(_ count: UInt32) -> UInt32 { (self << count) | (self >> (32 - count)) }

    @inline(__always)
    func rotatedRight(_ count: UInt32) -> UInt32 { (self >> count) | (self << (32 - count)) }

    @inline(__always)
    static func bigEndian(_ block: UnsafeRawBufferPointer, word index: Int) -> UInt32 {
        let base = index * 4
        return UInt32(block[base]) << 24 | UInt32(block[base + 1]) << 16 | UInt32(block[base + 2]) << 8
            | UInt32(block[base + 3])
    }

    var bigEndianBytes: [UInt8] {
        [UInt8(truncatingIfNeeded: self >> 24), UInt8(truncatingIfNeeded: self >> 16),
         UInt8(truncatingIfNeeded: self >> 8), UInt8(truncatingIfNeeded: self)]
    }
}
