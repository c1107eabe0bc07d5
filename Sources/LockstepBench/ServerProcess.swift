import LockstepEventLoop

#if canImport(Glibc)
import Glibc
#endif

/// `lockstep serve` as a child process: spawned with arguments, its port read from its first
/// line of output, stopped with a signal. Used by the crash test and the benchmark.
public final class ServerProcess: @unchecked Sendable {
    public let pid: pid_t
    /// The port the server printed.
    public private(set) var port = 0
    private let output: Int32

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Starts `executable serve --port 0 …arguments` and waits (up to `timeout` seconds) for its port.
    public init(executable: String, arguments: [String], timeout: Double = 10) throws {
        var pipeEnds: [Int32] = [0, 0]
        guard pipe(&pipeEnds) == 0 else { throw Failure(description: "pipe failed") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        posix_spawn_file_actions_adddup2(&actions, pipeEnds[1], 1)
        posix_spawn_file_actions_addclose(&actions, pipeEnds[0])
        let argv = [executable, "serve", "--port", "0"] + arguments
        var cArguments: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { for pointer in cArguments { free(pointer) } }
        var child: pid_t = 0
        let status = posix_spawn(&child, executable, &actions, nil, &cArguments, environ)
        posix_spawn_file_actions_destroy(&actions)
        close(pipeEnds[1])
        guard status == 0 else {
            close(pipeEnds[0])
            throw Failure(description: "cannot start \(executable): \(String(cString: strerror(status)))")
        }
        pid = child
        output = pipeEnds[0]
        _ = fcntl(output, F_SETFL, fcntl(output, F_GETFL) | O_NONBLOCK)
        let deadline = MonotonicInstant.now().nanoseconds + UInt64(timeout * 1e9)
        var text = ""
        var buffer = [UInt8](repeating: 0, count: 4096)
        while MonotonicInstant.now().nanoseconds < deadline {
            let count = buffer.withUnsafeMutableBytes { read(output, $0.baseAddress, $0.count) }
            if count > 0 { text += String(decoding: buffer[0..<count], as: UTF8.self) }
            if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("listening on ") }),
                let colon = line.lastIndex(of: ":"), let port = Int(line[line.index(after: colon)...])
            {
                self.port = port
                return
            }
            usleep(5000)
        }
        kill(pid, SIGKILL)
        throw Failure(description: "the server printed no port within \(timeout) s: \(text)")
    }

    /// Sends `signal` and waits for the process to exit; returns its wait status.
    @discardableResult
    public func stop(signal: Int32 = SIGTERM, timeout: Double = 10) -> Int32 {
        kill(pid, signal)
        let deadline = MonotonicInstant.now().nanoseconds + UInt64(timeout * 1e9)
        var status: Int32 = 0
        while MonotonicInstant.now().nanoseconds < deadline {
            if waitpid(pid, &status, WNOHANG) == pid {
                close(output)
                return status
            }
            usleep(5000)
        }
        kill(pid, SIGKILL)
        waitpid(pid, &status, 0)
        close(output)
        return status
    }

    /// The `lockstep` executable next to the running test or tool binary, if there is one.
    public static func siblingExecutable(named name: String = "lockstep") -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard count > 0 else { return nil }
        var path = String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        // A test bundle lives at .build/<config>/X.xctest (a file on Linux); tools next to the executable.
        while let slash = path.lastIndex(of: "/") {
            path = String(path[..<slash])
            let candidate = path + "/" + name
            if access(candidate, X_OK) == 0 { return candidate }
            if path.hasSuffix(".build") || path.isEmpty { break }
        }
        return nil
    }
}
