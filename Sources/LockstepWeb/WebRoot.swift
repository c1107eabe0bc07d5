#if canImport(Glibc)
import Glibc
#endif

/// Where the web pages are on disk.
///
/// SwiftPM copies `Sources/LockstepWeb/Public` into a resource directory beside the built
/// executable (`<exe dir>/Lockstep_LockstepWeb.resources/Public`). The generated `Bundle.module`
/// accessor is not used: it stops the process when that directory is missing (an executable
/// copied elsewhere); this looks for it and says so instead.
public enum WebRoot {
    /// The resource directory's name, as SwiftPM names it (`<package>_<target>.resources`).
    public static let resourceDirectoryName = "Lockstep_LockstepWeb.resources"

    /// The pages' directory beside the running executable, if there is one.
    public static func besideExecutable() -> String? {
        guard let executable = executablePath() else { return nil }
        var directory = executable
        while let last = directory.last, last != "/" { directory.removeLast() }
        let candidate = directory + resourceDirectoryName + "/Public"
        return isDirectory(candidate) ? candidate : nil
    }

    /// Where the pages would be beside the running executable (for the message when they are not).
    public static var expectedBesideExecutable: String {
        var directory = executablePath() ?? "./lockstep"
        while let last = directory.last, last != "/" { directory.removeLast() }
        return directory + resourceDirectoryName + "/Public"
    }

    /// Whether `path` is a directory.
    public static func isDirectory(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0 && status.st_mode & S_IFMT == S_IFDIR
    }

    /// The running executable's path (`/proc/self/exe`).
    static func executablePath() -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard count > 0 else { return nil }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
