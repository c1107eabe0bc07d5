#if canImport(Glibc)
import Glibc
#endif

/// Whether a replay file on disk is complete, judged from its last bytes only (cheap enough to
/// run over a whole directory at start-up): a complete file ends with its footer record.
public enum ReplayCompleteness {
    /// The size of the footer record: kind, length, a 16-byte body and the CRC.
    static let footerRecordSize = 1 + 4 + 16 + 4

    /// `true` when the file at `path` ends with a footer record whose CRC checks; `false` when it
    /// ends anywhere else (a crash, a failed write, a match still being written).
    ///
    /// - Throws: `ReplayError.io` when the file cannot be opened or read.
    public static func endsWithFooter(_ path: String) throws(ReplayError) -> Bool {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ReplayError(offset: 0, problem: .io("cannot open \(path): \(String(cString: strerror(errno)))")) }
        defer { close(fd) }
        let size = lseek(fd, 0, SEEK_END)
        guard size >= off_t(footerRecordSize) else { return false }
        var tail = [UInt8](repeating: 0, count: footerRecordSize)
        let count = tail.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, size - off_t(footerRecordSize)) }
        guard count == footerRecordSize else {
            throw ReplayError(offset: Int(size), problem: .io("cannot read \(path): \(String(cString: strerror(errno)))"))
        }
        return isFooterRecord(tail)
    }

    /// Whether `record` (exactly `footerRecordSize` bytes) is a framed footer with a good CRC.
    static func isFooterRecord(_ record: [UInt8]) -> Bool {
        guard record.count == footerRecordSize, record[0] == ReplayRecordKind.footer.rawValue else { return false }
        var length = ByteReader(record, range: 1..<5)
        var crc = ByteReader(record, range: 21..<25)
        guard (try? length.integer(UInt32.self, "length")) == 16 else { return false }
        return (try? crc.integer(UInt32.self, "CRC")) == CRC32.checksum(record[0..<21])
    }
}
