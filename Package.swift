// swift-tools-version:6.0
// Lockstep: a frame-synchronized (lockstep) realtime battle server.
// This package declares no dependencies: only the Swift toolchain is used.
//
// The module graph points one way: pure -> codecs -> I/O -> server / client -> tools.
//
//   pure      LockstepCore, LockstepCrypto, LockstepSimulation (the reference game: Core only)
//   codecs    LockstepProtocol, LockstepReplay (Core); LockstepHTTP (Crypto); LockstepWebSocket (Crypto, HTTP)
//   room      LockstepRoom (Core, Protocol, Replay): a room as a state machine, no I/O, no game named
//   I/O       CLockstepSystem, LockstepEventLoop (Core: its metrics' histogram; epoll loops: every socket but the
//             portable client's)
//   transport LockstepServer (Core, HTTP, WebSocket, EventLoop); LockstepWebSocketClient (EventLoop, HTTP, WebSocket)
//   server    LockstepBattleServer (Server, Room, Protocol, Crypto, Replay)
//   web       LockstepWeb (HTTP, Server, Crypto): the browser pages (its Public/ resource) served at `/`
//   client    LockstepClient (Core, Protocol, WebSocket, HTTP): the sans-I/O core, the transport protocol
//             and the portable transport (plain sockets and poll(2): no CLockstepSystem, no event loop)
//             LockstepClientEventLoop (Client, EventLoop, WebSocketClient): the event-loop transport
//             Never a server module.
//   cluster   LockstepRedis (Crypto): RESP2 codec and client; LockstepCluster (Redis, BattleServer, Client's AdminClient)
//   tools     LockstepBots, LockstepBench, LockstepCLI (also Web), the `lockstep` executable (which registers the
//             arena and its bots); LockstepAgones (BattleServer, Server, Client: the sidecar's REST API over the
//             admin client's HTTP)
//   tests     LockstepTesting and CAllocationCounter: linked by test targets only; TugOfWarGame (Core): a
//             game from outside the package's modules, as a studio's, played end to end by StudioGameTests
//
// No arrow from the room, replay or server modules to LockstepSimulation: games come in through a
// SimulationRegistry. No arrow from a client module to a server module, or from a tool to LockstepTesting.
import PackageDescription

let package = Package(
    name: "Lockstep",
    products: [
        .library(name: "LockstepCore", targets: ["LockstepCore"]),
        .library(name: "LockstepSimulation", targets: ["LockstepSimulation"]),
        .library(name: "LockstepReplay", targets: ["LockstepReplay"]),
        .library(name: "LockstepProtocol", targets: ["LockstepProtocol"]),
        .library(name: "LockstepRoom", targets: ["LockstepRoom"]),
        .library(name: "LockstepCrypto", targets: ["LockstepCrypto"]),
        .library(name: "LockstepHTTP", targets: ["LockstepHTTP"]),
        .library(name: "LockstepWebSocket", targets: ["LockstepWebSocket"]),
        .library(name: "LockstepEventLoop", targets: ["LockstepEventLoop"]),
        .library(name: "LockstepServer", targets: ["LockstepServer"]),
        .library(name: "LockstepWebSocketClient", targets: ["LockstepWebSocketClient"]),
        .library(name: "LockstepBattleServer", targets: ["LockstepBattleServer"]),
        .library(name: "LockstepWeb", targets: ["LockstepWeb"]),
        .library(name: "LockstepClient", targets: ["LockstepClient"]),
        .library(name: "LockstepClientEventLoop", targets: ["LockstepClientEventLoop"]),
        .library(name: "LockstepBots", targets: ["LockstepBots"]),
        .library(name: "LockstepCLI", targets: ["LockstepCLI"]),
        .library(name: "LockstepTesting", targets: ["LockstepTesting"]),
        .library(name: "LockstepRedis", targets: ["LockstepRedis"]),
        .library(name: "LockstepCluster", targets: ["LockstepCluster"]),
        .library(name: "LockstepAgones", targets: ["LockstepAgones"]),
        .executable(name: "lockstep", targets: ["lockstep"]),
    ],
    targets: [
        // Pure, deterministic core: ticks, frames, ordering, rollback, interpolation, fixed point.
        .target(name: "LockstepCore"),
        // The reference battle simulation (fixed-point arena game).
        .target(name: "LockstepSimulation", dependencies: ["LockstepCore"]),
        // The replay format: writer, reader with recovery, verifier.
        .target(name: "LockstepReplay", dependencies: ["LockstepCore"]),
        // The game's binary wire protocol (pure codec): see docs/PROTOCOL.md.
        .target(name: "LockstepProtocol", dependencies: ["LockstepCore"]),
        // A room as a state machine: lifecycle, tick loop, catch-up, desync arbitration (no I/O).
        .target(
            name: "LockstepRoom",
            dependencies: ["LockstepCore", "LockstepProtocol", "LockstepReplay"]),
        // SHA-1, SHA-256, HMAC, base64: pure and checked against the published vectors.
        .target(name: "LockstepCrypto"),
        // Seeded arena bot matches recorded as replays (`lockstep replay record`, the golden replays).
        .target(
            name: "LockstepBots",
            dependencies: ["LockstepCore", "LockstepSimulation", "LockstepReplay", "LockstepClient", "LockstepClientEventLoop", "LockstepEventLoop", "LockstepProtocol"]),
        // HTTP/1.1 request parsing and responses (pure).
        .target(name: "LockstepHTTP", dependencies: ["LockstepCrypto"]),
        // RFC 6455 WebSocket codec and handshake (pure).
        .target(name: "LockstepWebSocket", dependencies: ["LockstepCrypto", "LockstepHTTP"]),
        // Linux headers Glibc does not export (epoll, eventfd, timerfd).
        .target(name: "CLockstepSystem"),
        // Event loops (epoll): the server's sockets and shared client loops.
        .target(name: "LockstepEventLoop", dependencies: ["LockstepCore", "CLockstepSystem"]),
        // The client side of a WebSocket over an event loop (game clients, bots, the bench).
        .target(name: "LockstepWebSocketClient", dependencies: ["LockstepEventLoop", "LockstepHTTP", "LockstepWebSocket"]),
        // The server: HTTP/WebSocket endpoints over the event loops.
        .target(
            name: "LockstepServer",
            dependencies: ["LockstepCore", "LockstepHTTP", "LockstepWebSocket", "LockstepEventLoop"]
        ),
        // The battle server: rooms on the event loops, the play endpoint, join tokens, the admin API.
        .target(
            name: "LockstepBattleServer",
            dependencies: ["LockstepServer", "LockstepRoom", "LockstepProtocol", "LockstepCrypto", "LockstepReplay"]),
        // The browser pages (Public/: HTML, the JavaScript client, the arena's wasm) served at `/`.
        .target(
            name: "LockstepWeb", dependencies: ["LockstepHTTP", "LockstepServer", "LockstepCrypto"],
            resources: [.copy("Public")]),
        // The Swift client library: clock sync, input scheduling, prediction and rollback, reconnect.
        .target(
            name: "LockstepClient",
            dependencies: ["LockstepCore", "LockstepProtocol", "LockstepWebSocket", "LockstepHTTP"]),
        // The client's transport on an event loop (bots, the benchmark: many clients per loop).
        .target(
            name: "LockstepClientEventLoop",
            dependencies: ["LockstepClient", "LockstepCore", "LockstepProtocol", "LockstepEventLoop", "LockstepWebSocketClient", "LockstepWebSocket"]),
        // Agones: the SDK sidecar's REST API and an observer that keeps a GameServer told (`serve --agones`).
        .target(name: "LockstepAgones", dependencies: ["LockstepBattleServer", "LockstepServer", "LockstepClient"]),
        // Test support: an in-process server, an admin client and scripted game clients.
        .target(
            name: "LockstepTesting",
            dependencies: [
                "LockstepBattleServer", "LockstepServer", "LockstepProtocol", "LockstepSimulation", "LockstepEventLoop",
                "LockstepClient", "LockstepWebSocket", "LockstepWebSocketClient", "LockstepHTTP", "LockstepRedis",
            ]),
        // The tick-latency benchmark: bots on their own loops, histograms, reports (`lockstep bench`).
        .target(
            name: "LockstepBench",
            dependencies: [
                "LockstepCore", "LockstepSimulation", "LockstepProtocol", "LockstepEventLoop", "LockstepWebSocketClient",
                "LockstepWebSocket", "LockstepClient", "CLockstepSystem",
            ]),
        // A RESP2 Redis client: a pure codec and a blocking connection on its own worker thread.
        .target(name: "LockstepRedis", dependencies: ["LockstepCrypto"]),
        // Cluster mode over Redis: node registry, placement, the room directory (docs/CLUSTER.md).
        .target(
            name: "LockstepCluster",
            dependencies: [
                "LockstepRedis", "LockstepBattleServer", "LockstepServer", "LockstepHTTP", "LockstepClient", "LockstepProtocol",
                "LockstepEventLoop",
            ]),
        // Argument parsing and the subcommands of `lockstep`.
        .target(
            name: "LockstepCLI",
            dependencies: [
                "LockstepCore", "LockstepSimulation", "LockstepReplay", "LockstepServer", "LockstepBattleServer",
                "LockstepClient", "LockstepBench", "LockstepBots", "LockstepAgones", "LockstepCluster", "LockstepRedis",
                "LockstepWeb",
            ]
        ),
        .executableTarget(name: "lockstep", dependencies: ["LockstepCLI", "LockstepCore", "LockstepSimulation", "LockstepBots"]),

        // Test-only allocator shim: counts the calling thread's allocations (hot-path proofs).
        .target(name: "CAllocationCounter", path: "Tests/CAllocationCounter"),
        // Test-only: a second game (a tug of war), outside the package's modules as a studio's would be.
        .target(name: "TugOfWarGame", dependencies: ["LockstepCore"], path: "Tests/TugOfWarGame"),
        .testTarget(name: "LockstepCoreTests", dependencies: ["LockstepCore", "CAllocationCounter"]),
        .testTarget(name: "LockstepSimulationTests", dependencies: ["LockstepSimulation", "CAllocationCounter"]),
        .testTarget(
            name: "LockstepReplayTests",
            dependencies: ["LockstepReplay", "LockstepSimulation", "LockstepBots", "CAllocationCounter"]),
        .testTarget(name: "LockstepProtocolTests", dependencies: ["LockstepProtocol", "CAllocationCounter"]),
        .testTarget(
            name: "LockstepRoomTests", dependencies: ["LockstepRoom", "LockstepSimulation", "LockstepBots", "CAllocationCounter"]),
        .testTarget(name: "LockstepCryptoTests", dependencies: ["LockstepCrypto"]),
        .testTarget(name: "LockstepHTTPTests", dependencies: ["LockstepHTTP", "LockstepCore"]),
        .testTarget(name: "LockstepWebSocketTests", dependencies: ["LockstepWebSocket"]),
        .testTarget(name: "LockstepEventLoopTests", dependencies: ["LockstepEventLoop", "CAllocationCounter"]),
        .testTarget(
            name: "LockstepServerTests",
            dependencies: ["LockstepServer", "LockstepWebSocket", "LockstepWebSocketClient", "LockstepEventLoop", "LockstepCore"]),
        .testTarget(
            name: "LockstepBattleServerTests",
            dependencies: [
                "LockstepBattleServer", "LockstepServer", "LockstepWebSocket", "LockstepEventLoop", "LockstepProtocol",
                "LockstepTesting", "LockstepReplay", "LockstepSimulation", "LockstepRoom", "LockstepCore", "LockstepBench",
                "LockstepClient", "LockstepWebSocketClient", "TugOfWarGame", "LockstepBots",
            ]),
        .testTarget(
            name: "LockstepClientTests",
            dependencies: [
                "LockstepClient", "LockstepClientEventLoop", "LockstepTesting", "LockstepSimulation", "LockstepReplay", "LockstepProtocol",
                "LockstepBots", "LockstepBench", "LockstepEventLoop",
            ]),
        // A studio's game played end to end through the server by the client library (public API only).
        .testTarget(
            name: "StudioGameTests",
            dependencies: [
                "TugOfWarGame", "LockstepClient", "LockstepClientEventLoop", "LockstepTesting", "LockstepReplay", "LockstepCore",
                "LockstepProtocol",
            ]),
        .testTarget(
            name: "LockstepCLITests",
            dependencies: [
                "LockstepCLI", "LockstepReplay", "LockstepTesting", "LockstepClient", "LockstepBench", "LockstepBots",
                "LockstepEventLoop", "LockstepCore", "LockstepProtocol",
            ]),
        .testTarget(
            name: "LockstepWebTests",
            dependencies: [
                "LockstepWeb", "LockstepHTTP", "LockstepServer", "LockstepBattleServer", "LockstepTesting", "LockstepClient",
                "LockstepReplay", "LockstepSimulation", "LockstepCore", "LockstepProtocol", "LockstepBots", "LockstepBench",
            ]),
        .testTarget(
            name: "LockstepAgonesTests",
            dependencies: [
                "LockstepAgones", "LockstepBattleServer", "LockstepTesting", "LockstepBench", "LockstepClient", "LockstepProtocol",
                "LockstepCore", "LockstepEventLoop", "LockstepSimulation", "LockstepReplay", "LockstepServer",
            ]),
        .testTarget(
            name: "LockstepBenchTests",
            dependencies: [
                "LockstepBench", "LockstepTesting", "LockstepProtocol", "LockstepCore", "LockstepClient", "LockstepWebSocketClient",
                "CAllocationCounter",
            ]),
        .testTarget(name: "LockstepRedisTests", dependencies: ["LockstepRedis", "LockstepTesting"]),
        .testTarget(
            name: "LockstepClusterTests",
            dependencies: [
                "LockstepCluster", "LockstepRedis", "LockstepTesting", "LockstepBench", "LockstepClient", "LockstepClientEventLoop",
                "LockstepBots", "LockstepReplay", "LockstepSimulation", "LockstepProtocol", "LockstepEventLoop", "LockstepCore",
            ]),
    ],
    swiftLanguageModes: [.v6]
)
