#if canImport(Glibc)
    import Glibc
#endif

extension ProcessStats {
    /// How many descriptors process `pid` has open (the entries of `/proc/PID/fd`), or `nil` when
    /// the directory cannot be read (no such process, or not ours).
    public static func openDescriptors(of pid: Int32) -> Int? {
        guard let directory = opendir("/proc/\(pid)/fd") else { return nil }
        defer { closedir(directory) }
        var count = 0
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { Array($0.prefix(2)) }
            // Skip "." and "..".
            if name[0] == UInt8(ascii: "."), name[1] == 0 || name[1] == UInt8(ascii: ".") { continue }
            count += 1
        }
        return count
    }
}
