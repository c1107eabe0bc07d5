import LockstepBattleServer
import LockstepClient
import LockstepCore
import LockstepEventLoop
import LockstepServer
import LockstepSimulation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A battle server in this process on 127.0.0.1 and a free port, with a known admin key and token
/// secret, plus a client event loop for test clients. Call `stop()` at the end.
public final class TestBattleServer: Sendable {
    public let server: BattleServer
    public let adminKey = "test-admin-key"
    public let tokenSecret = Array("test-token-secret".utf8)
    public let clientLoops: EventLoopGroup
    public let replayDirectory: String
    /// Log lines, captured.
    public let logLines = LogCapture()

    /// Starts a server (with the `/echo` endpoint when `echo`) running `simulations`; `configure`
    /// may change the battle and network configurations first, and `beforeStart` add routes.
    public init(
        loops: Int = 2, echo: Bool = false, simulations: SimulationRegistry = .reference,
        configure: (inout BattleConfiguration, inout ServerConfiguration) -> Void = { _, _ in },
        beforeStart: (BattleServer) -> Void = { _ in }
    ) throws {
        var network = ServerConfiguration()
        network.port = 0
        network.loopCount = loops
        var battle = BattleConfiguration()
        battle.adminKey = adminKey
        battle.tokenSecret = tokenSecret
        replayDirectory = "/tmp/lockstep-test-replays-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        battle.replayDirectory = replayDirectory
        configure(&battle, &network)
        let capture = logLines
        server = try BattleServer(
            network: network, configuration: battle, logger: Logger(level: .info) { capture.append($0) }, simulations: simulations)
        if echo { server.addEchoEndpoint() }
        beforeStart(server)
        try server.start()
        clientLoops = try EventLoopGroup(count: 1)
    }

    public var port: Int { server.port }

    /// An admin client for this server.
    public var admin: AdminClient { AdminClient(port: port, adminKey: adminKey) }

    /// A new game client connected to `/v1/play?room=…`.
    public func client(room: String?) throws -> TestGameClient {
        try TestGameClient(port: port, room: room, loop: clientLoops.next())
    }

    /// One connected client per slot of `room`, each sending `input` for every tick.
    public func players(
        of room: AdminClient.CreatedRoom, input: @escaping TestGameClient.InputSource = { _ in [0, 0, 0, 0, 1] }
    ) throws -> [TestGameClient] {
        try room.tokens.indices.map { slot in
            let client = try client(room: room.roomID)
            client.play(as: PlayerSlot(UInt8(slot)), inputs: input)
            client.hello(token: room.tokens[slot])
            return client
        }
    }

    public func stop() {
        server.shutdown()
        clientLoops.shutdown()
    }
}

/// Collects log lines from any thread.
public final class LogCapture: Sendable {
    private let lines = Mutex<[String]>([])

    public func append(_ line: String) { lines.withLock { $0.append(line) } }

    /// Every line so far.
    public var all: [String] { lines.withLock { $0 } }
}
