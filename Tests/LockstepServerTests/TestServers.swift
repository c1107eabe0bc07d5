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
