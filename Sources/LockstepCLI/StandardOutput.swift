#if canImport(Glibc)
import Glibc
#endif

/// Writes to the process's standard output and standard error without buffering surprises.
public final class StandardOutput: CommandOutput {
    public init() {}

    public func out(_ text: String) {
        write(text, to: 1)
    }

    public func err(_ text: String) {
        write(text, to: 2)
    }

    private func write(_ text: String, to fd: Int32) {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeMutableBytes { buffer in
                Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                return
            }
            offset += written
        }
        bytes.removeAll()
    }
}
