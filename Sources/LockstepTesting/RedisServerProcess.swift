import Foundation
import LockstepRedis
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A real `redis-server` for a test: its own free loopback port and temporary directory, no
/// persistence (`--save '' --appendonly no`), stopped (and its directory removed) by `stop()`.
///
/// Without `redis-server` installed it throws, so the tests that need it fail: `.ci/run`
/// installs it (tools/install-redis.sh). `Sendable` as checked by the compiler: the process id is
/// behind a mutex, and `stop()` takes it once, so two stops never reap the same child.
public final class RedisServerProcess: Sendable {
    /// The loopback port the server listens on (kept across `restart()`).
    public let port: Int
    /// The server's working directory.
    public let directory: String
    /// The running server's process id (0 when stopped).
    public var pid: pid_t { process.withLock { $0 } }
    private let process = Mutex<pid_t>(0)

    /// Why a Redis server could not be started.
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// `redis://127.0.0.1:PORT`.
    public var url: RedisURL { RedisURL(host: "127.0.0.1", port: port) }

    /// Starts a server and waits (up to 10 s) until it answers PING.
    public init() throws {
        guard let executable = Self.executable() else {
            throw Failure(description: "redis-server is not installed (apt-get install -y redis-server, or bash tools/install-redis.sh): the cluster tests need a real Redis")
        }
        self.executable = executable
        port = try Self.freePort()
        directory = makeTemporaryDirectory("lockstep-redis")
        try launch()
    }

    private let executable: String

    /// Stops the server (SIGTERM, then SIGKILL after 5 s) and waits for it.
    public func stop() {
        let pid = process.withLock { current in
            defer { current = 0 }
            return current
        }
        guard pid > 0 else { return }
        kill(pid, SIGTERM)
        var status: Int32 = 0
        let reaped = eventually(5) { waitpid(pid, &status, WNOHANG) == pid }
        if !reaped {
            kill(pid, SIGKILL)
            waitpid(pid, &status, 0)
        }
    }

    /// Starts the server again on the same port (empty: nothing was saved).
    public func restart() throws {
        stop()
        try launch()
    }

    /// Stops the server and removes its directory.
    public func shutdown() {
        stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    deinit { shutdown() }

    private func launch() throws {
        let arguments = [
            executable, "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", directory,
            "--logfile", directory + "/redis.log", "--protected-mode", "yes",
        ]
        var cArguments: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for pointer in cArguments { free(pointer) } }
        // An empty signal mask and default handlers: a test runner's thread may block SIGTERM,
        // and a spawned child inherits the mask (it then ignores the stop).
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGTERM)
        sigaddset(&defaults, SIGINT)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var child: pid_t = 0
        let status = posix_spawn(&child, executable, nil, &attributes, &cArguments, environ)
        guard status == 0 else { throw Failure(description: "cannot start \(executable): \(String(cString: strerror(status)))") }
        process.withLock { $0 = child }
        let url = url
        let ready = eventually(10) {
            guard let connection = try? RedisConnection(url: url, timeoutMillis: 200) else { return false }
            return (try? connection.command(["PING"])) == .simpleString("PONG")
        }
        guard ready else {
            stop()
            let log = (try? String(contentsOfFile: directory + "/redis.log", encoding: .utf8)) ?? ""
            throw Failure(description: "redis-server on port \(port) did not answer PING within 10 s: \(log)")
        }
    }

    private static func executable() -> String? {
        ["/usr/bin/redis-server", "/usr/local/bin/redis-server", "/usr/sbin/redis-server"].first { access($0, X_OK) == 0 }
    }

    /// A port free on 127.0.0.1 now (bound to port 0 and released).
    private static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw Failure(description: "bind failed") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
