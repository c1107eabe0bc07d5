#if canImport(Glibc)
import Glibc
#endif

/// A new, empty directory under `/tmp` whose name starts with `prefix`, unique to this call
/// (`mkdtemp`): a test's replay folder never holds files from an earlier run whose process had the
/// same pid.
public func makeTemporaryDirectory(_ prefix: String) -> String {
    var template = Array("/tmp/\(prefix)-XXXXXX".utf8CString)
    let made = template.withUnsafeMutableBufferPointer { buffer -> String? in
        guard let base = buffer.baseAddress, mkdtemp(base) != nil else { return nil }
        return String(cString: base)
    }
    return made ?? "/tmp/\(prefix)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
}
