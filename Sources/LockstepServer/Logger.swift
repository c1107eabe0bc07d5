import LockstepCore

#if canImport(Glibc)
import Glibc
#endif

/// Structured logging: one `key=value` line per event, written with one `write(2)`.
///
/// `logger.info("connection_open", ["conn": id])` writes
/// `ts=2026-11-21T16:20:00.123Z level=info event=connection_open conn=42`. The fields are an
/// autoclosure: nothing is evaluated unless the level passes.
public struct Logger: Sendable {
    /// The lowest level written.
    public var level: LogLevel
    private let sink: @Sendable (String) -> Void

    /// A logger writing to standard error.
    public init(level: LogLevel = .info) {
        self.init(level: level) { line in
            var bytes = Array(line.utf8)
            bytes.withUnsafeMutableBytes { _ = Glibc.write(2, $0.baseAddress, $0.count) }
        }
    }

    /// A logger handing each finished line (with its newline) to `sink`, for tests.
    public init(level: LogLevel, sink: @escaping @Sendable (String) -> Void) {
        self.level = level
        self.sink = sink
    }

    /// Writes one event at `level` if the level passes.
    public func log(_ level: LogLevel, _ event: String, _ fields: @autoclosure () -> KeyValuePairs<String, Any> = [:]) {
        guard level >= self.level else { return }
        var line = "ts=\(Self.timestamp()) level=\(level.name) event=\(event)"
        for (key, value) in fields() {
            line += " \(key)=\(Self.quoted(String(describing: value)))"
        }
        sink(line + "\n")
    }

    /// Logs at `debug`.
    public func debug(_ event: String, _ fields: @autoclosure () -> KeyValuePairs<String, Any> = [:]) {
        log(.debug, event, fields())
    }

    /// Logs at `info`.
    public func info(_ event: String, _ fields: @autoclosure () -> KeyValuePairs<String, Any> = [:]) {
        log(.info, event, fields())
    }

    /// Logs at `warning`.
    public func warning(_ event: String, _ fields: @autoclosure () -> KeyValuePairs<String, Any> = [:]) {
        log(.warning, event, fields())
    }

    /// Logs at `error`.
    public func error(_ event: String, _ fields: @autoclosure () -> KeyValuePairs<String, Any> = [:]) {
        log(.error, event, fields())
    }

    /// Values with spaces, quotes or `=` are quoted, so every line splits unambiguously.
    static func quoted(_ value: String) -> String {
        let needsQuotes = value.isEmpty || value.utf8.contains { $0 <= 0x20 || $0 == 0x22 || $0 == 0x3D || $0 == 0x5C }
        guard needsQuotes else { return value }
        var result = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }

    /// UTC wall-clock time in RFC 3339 form with milliseconds.
    static func timestamp() -> String {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        var seconds = spec.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(Int32(spec.tv_nsec / 1_000_000), 3))Z"
    }
}
