import LockstepEventLoop

#if canImport(Glibc)
import Glibc
#endif

/// `lockstep serve` as a child process: spawned with arguments, its port read from its first
/// line of output, stopped with a signal. Used by the crash test and the benchmark.
///
/// `Sendable`: every property is immutable (the child's pid, its port, the read end of its output).
public final class ServerProcess: Sendable {
    public let pid: pid_t
    /// The port the server printed.
    public let port: Int
    private let output: Int32

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Starts `executable serve --port 0 …arguments` and waits (up to `timeout` seconds) for its port.
    public init(executable: String, arguments: [String], timeout: Double = 10) throws {
        var pipeEnds: [Int32] = [0, 0]
        // Close-on-exec, so no other child inherits the write end (the child's stdout is a dup2 of
        // it, which is not): the read end then sees end-of-file exactly when this child exits.
        guard pipe(&pipeEnds) == 0 else { throw Failure(description: "pipe failed") }
        for end in pipeEnds { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
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
        let output = pipeEnds[0]
        self.output = output
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
            if count == 0 { break }  // the child closed its output: it exited
            Self.awaitOutput(output, until: deadline)
        }
        kill(child, SIGKILL)
        throw Failure(description: "the server printed no port within \(timeout) s: \(text)")
    }

    /// Sends `signal` and waits for the process to exit; returns its wait status.
    @discardableResult
    public func stop(signal: Int32 = SIGTERM, timeout: Double = 10) -> Int32 {
        kill(pid, signal)
        let deadline = MonotonicInstant.now().nanoseconds + UInt64(timeout * 1e9)
        var status: Int32 = 0
        // The child's exit closes its end of the output pipe: sleep on the pipe (draining what
        // it prints) until then, and reap it.
        var scratch = [UInt8](repeating: 0, count: 4096)
        while MonotonicInstant.now().nanoseconds < deadline {
            let reaped = waitpid(pid, &status, WNOHANG)
            if reaped == pid || reaped < 0 {  // exited now, or reaped by an earlier `stop()`
                close(output)
                return status
            }
            Self.awaitOutput(output, until: deadline)
            let count = scratch.withUnsafeMutableBytes { read(output, $0.baseAddress, $0.count) }
            if count == 0 {
                waitpid(pid, &status, 0)  // end of output: the child is exiting
                close(output)
                return status
            }
        }
        kill(pid, SIGKILL)
        waitpid(pid, &status, 0)
        close(output)
        return status
    }

    /// Waits up to `timeout` seconds for the process to exit by itself; its wait status, or `nil`
    /// when it is still running (then `stop()` it).
    public func waitForExit(timeout: Double = 10) -> Int32? {
        let deadline = MonotonicInstant.now().nanoseconds + UInt64(timeout * 1e9)
        var status: Int32 = 0
        var scratch = [UInt8](repeating: 0, count: 4096)
        while MonotonicInstant.now().nanoseconds < deadline {
            if waitpid(pid, &status, WNOHANG) == pid { return status }
            Self.awaitOutput(output, until: deadline)
            let count = scratch.withUnsafeMutableBytes { read(output, $0.baseAddress, $0.count) }
            if count == 0 {
                waitpid(pid, &status, 0)  // end of output: the child is exiting
                return status
            }
        }
        return nil
    }

    /// Sleeps until `fd` is readable or hung up, or `deadline` (monotonic ns) passes.
    private static func awaitOutput(_ fd: Int32, until deadline: UInt64) {
        let now = MonotonicInstant.now().nanoseconds
        guard now < deadline else { return }
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        _ = poll(&entry, 1, Int32(min(1_000, (deadline - now) / 1_000_000 + 1)))
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
