#if canImport(Glibc)
import Glibc
#endif

/// CPU time and memory of a process, read from `/proc` (Linux), and this process's own CPU.
public enum ProcessStats {
    /// User plus system CPU seconds of process `pid` (`/proc/PID/stat` fields 14 and 15), or `nil`.
    public static func cpuSeconds(of pid: Int32) -> Double? {
        guard let text = readText("/proc/\(pid)/stat"), let close = text.lastIndex(of: ")") else { return nil }
        // Fields after "(comm)": state is field 3, so utime (14) and stime (15) are at 11 and 12 here.
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// The resident set size of process `pid` in bytes (`VmRSS` of `/proc/PID/status`), or `nil`.
    public static func residentBytes(of pid: Int32) -> UInt64? {
        guard let text = readText("/proc/\(pid)/status") else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            let digits = line.dropFirst(6).filter { $0.isNumber }
            return UInt64(String(digits)).map { $0 * 1024 }
        }
        return nil
    }

    /// CPU seconds of the whole machine since boot from `/proc/stat`: busy (everything but idle
    /// and iowait) and stolen by the hypervisor, summed over every CPU; `nil` when unreadable.
    public static func machineCPUSeconds() -> (busy: Double, steal: Double)? {
        guard let text = readText("/proc/stat"), let line = text.split(separator: "\n").first, line.hasPrefix("cpu ") else {
            return nil
        }
        let fields = line.split(separator: " ").dropFirst().compactMap { Double($0) }
        guard fields.count >= 8 else { return nil }
        let hertz = Double(sysconf(Int32(_SC_CLK_TCK)))
        // user nice system idle iowait irq softirq steal (guest time is already in user).
        let busy = fields[0] + fields[1] + fields[2] + fields[5] + fields[6]
        return (busy / hertz, fields[7] / hertz)
    }

    /// This process's user plus system CPU seconds (`getrusage(RUSAGE_SELF)`: every thread, no children).
    public static func ownCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    }

    /// The whole content of a small text file, or `nil`.
    static func readText(_ path: String) -> String? {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            bytes += chunk[0..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
