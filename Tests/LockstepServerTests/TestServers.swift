#if canImport(Glibc)
import Glibc
#endif
import LockstepEventLoop
import LockstepServer

/// Starts a server on a free loopback port with an echo endpoint, for one test.
func startEchoServer(_ adjust: (inout ServerConfiguration) -> Void = { _ in }) throws -> Server {
    var configuration = ServerConfiguration()
    configuration.port = 0
    configuration.loopCount = 2
    configuration.shutdownGracePeriod = .seconds(2)
    adjust(&configuration)
    let server = try Server(configuration: configuration, logger: Logger(level: .error))
    let echo = EchoHandler()
    server.addWebSocketEndpoint("/echo") { _, _ in .accept(echo) }
    try server.start()
    return server
}

/// Polls `condition` until it holds, for at most ten seconds; returns whether it did. The one
/// waiting primitive of these tests: a deadline, never a fixed sleep.
func waitUntil(_ condition: () -> Bool) -> Bool {
    let deadline = MonotonicInstant.now().nanoseconds + 10_000_000_000
    while !condition() {
        if MonotonicInstant.now().nanoseconds >= deadline { return false }
        usleep(1000)
    }
    return true
}
