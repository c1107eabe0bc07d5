import LockstepClient
import LockstepCore
import LockstepEventLoop

extension LockstepClient {
    /// A client whose socket runs on `loop` (an `EventLoopClientTransport`; many clients may
    /// share a loop); `simulation` builds the game state for (players, seed).
    public convenience init(
        configuration: ClientConfiguration, loop: EventLoop, simulation: @escaping @Sendable (Int, UInt64) throws -> Simulation
    ) {
        self.init(configuration: configuration, transport: EventLoopClientTransport(configuration: configuration, loop: loop), simulation: simulation)
    }

    /// The event loop of the client's transport, when it is an `EventLoopClientTransport`.
    public var loop: EventLoop? { (transport as? EventLoopClientTransport)?.loop }

    /// Connects over `loop`, runs `body`, and closes the connection when `body` returns or throws.
    public static func withConnection<Result>(
        configuration: ClientConfiguration, loop: EventLoop, simulation: @escaping @Sendable (Int, UInt64) throws -> Simulation,
        _ body: (LockstepClient) async throws -> Result
    ) async rethrows -> Result {
        try await withConnection(
            configuration: configuration, transport: EventLoopClientTransport(configuration: configuration, loop: loop), simulation: simulation,
            body)
    }
}
