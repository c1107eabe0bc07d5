#if canImport(Glibc)
    import Glibc
#endif

/// The memory this process may use: its cgroup's limit (what a container runtime or systemd's
/// `MemoryMax=` sets), else the machine's physical memory. Server budgets are derived from it.
public enum MemoryLimit {
    /// The limit in bytes: cgroup v2 `memory.max`, else cgroup v1 `memory.limit_in_bytes`,
    /// whichever is set and below the physical memory; else the physical memory.
    public static func bytes() -> Int {
        let physical = physicalBytes()
        for path in ["/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"] {
            if let limit = readNumber(path), limit > 0, limit < physical { return limit }
        }
        return physical
    }

    /// The default outbound budget for a process that may use `memoryBytes`: a quarter of it,
    /// at least 64 MiB.
    public static func defaultOutboundBudget(memoryBytes: Int) -> Int {
        max(64 * 1024 * 1024, memoryBytes / 4)
    }

    /// Physical memory in bytes (`sysconf`), or 1 GiB when the system does not say.
    static func physicalBytes() -> Int {
        let pages = sysconf(Int32(_SC_PHYS_PAGES))
        let pageSize = sysconf(Int32(_SC_PAGESIZE))
        guard pages > 0, pageSize > 0 else { return 1 << 30 }
        return pages.multipliedReportingOverflow(by: pageSize).overflow ? Int.max : pages * pageSize
    }

    /// The decimal number a small file starts with (`nil` for "max", a missing file or junk).
    static func readNumber(_ path: String) -> Int? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { _ = close(fd) }
        var buffer = [UInt8](repeating: 0, count: 64)
        let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard count > 0 else { return nil }
        let digits = buffer[0..<count].prefix { $0 >= 48 && $0 <= 57 }
        guard !digits.isEmpty, digits.count < 19 else { return nil }
        return Int(String(decoding: digits, as: UTF8.self))
    }
}
