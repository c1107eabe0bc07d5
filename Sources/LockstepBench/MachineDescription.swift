#if canImport(Glibc)
import Glibc
#endif

/// The machine a benchmark ran on, for the report.
public struct MachineDescription: Codable, Sendable, Equatable {
    /// The CPU model (`/proc/cpuinfo` "model name").
    public var cpuModel: String
    /// Online logical CPUs.
    public var cores: Int
    /// Total memory in bytes.
    public var memoryBytes: UInt64
    /// Kernel name and release (`uname`).
    public var kernel: String
    /// The host name.
    public var hostname: String

    /// Describes this machine.
    public static func current() -> MachineDescription {
        let cpuinfo = ProcessStats.readText("/proc/cpuinfo") ?? ""
        let model = cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }
            .flatMap { $0.split(separator: ":", maxSplits: 1).last }
            .map { $0.trimmingCharacters(in: " \t") } ?? "unknown"
        let meminfo = ProcessStats.readText("/proc/meminfo") ?? ""
        let memory = meminfo.split(separator: "\n").first { $0.hasPrefix("MemTotal:") }
            .flatMap { UInt64(String($0.filter(\.isNumber))) }.map { $0 * 1024 } ?? 0
        var names = utsname()
        uname(&names)
        func field<T>(_ value: T) -> String {
            withUnsafeBytes(of: value) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        }
        return MachineDescription(
            cpuModel: model, cores: Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))), memoryBytes: memory,
            kernel: field(names.sysname) + " " + field(names.release), hostname: field(names.nodename))
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: String) -> String {
        String(drop { set.contains($0) }.reversed().drop { set.contains($0) }.reversed())
    }
}
