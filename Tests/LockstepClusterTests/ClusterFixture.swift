import Foundation
import LockstepBench
import LockstepBots
import LockstepClient
import LockstepTesting
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A real cluster on loopback for a test: its own `redis-server` and `lockstep serve` nodes (child
/// processes of the built executable) sharing an admin key and a token secret, with short
/// heartbeats (250 ms) and TTLs (1 s) so failures are seen quickly.
final class ClusterFixture {
    static let adminKey = "cluster-test-admin-key"
    static let heartbeatMillis = 250
    static let ttlMillis = 1000
    let redis: RedisServerProcess
    let replays: String
    private(set) var nodes: [ServerProcess?] = []
    private var stopped: Set<Int> = []

    /// Starts Redis and `count` nodes, each with `maxRooms` rooms and the `extra` flags.
    init(nodes count: Int, maxRooms: Int = 200, extra: [String] = []) throws {
        redis = try RedisServerProcess()
        replays = makeTemporaryDirectory("lockstep-cluster")
        guard let executable = ServerProcess.siblingExecutable() else {
            throw FixtureFailure("no lockstep executable next to the tests (swift build first)")
        }
        for index in 0..<count {
            let arguments = [
                "--cluster", "redis://127.0.0.1:\(redis.port)", "--admin-key", Self.adminKey, "--token-secret", "cluster-test-secret",
                "--replays", replays + "/node\(index)", "--max-rooms", String(maxRooms), "--loops", "1", "--log-level", "warning",
                "--cluster-heartbeat-ms", String(Self.heartbeatMillis), "--cluster-ttl-ms", String(Self.ttlMillis),
            ] + extra
            nodes.append(try ServerProcess(executable: executable, arguments: arguments))
        }
        // Every node registered: placement sees them all.
        let admin = self.admin(0)
        let registered = eventually(10) { ((try? admin.request("GET", "/v1/cluster"))?.json?["nodes"] as? [Any])?.count == count }
        guard registered else { throw FixtureFailure("the \(count) nodes did not all register") }
    }

    deinit { stop() }

    /// The admin port of node `index` (also its play port).
    func port(_ index: Int) -> Int { nodes[index]?.port ?? 0 }

    /// An admin client of node `index`.
    func admin(_ index: Int) -> AdminClient { AdminClient(port: port(index), adminKey: Self.adminKey) }

    /// The index of the node whose port `url` names.
    func node(of url: String) -> Int? {
        guard let parsed = try? PlayURL(parsing: url) else { return nil }
        return nodes.firstIndex { $0?.port == parsed.port }
    }

    /// A bot runner for this cluster (bots are added to it; stop it when done).
    func botRunner() throws -> BotRunner {
        var options = BotRunner.Options(port: port(0), adminKey: Self.adminKey)
        options.timeoutNanos = 60_000_000_000
        return try BotRunner(options: options)
    }

    /// Creates `count` two-player rooms of `ticks` ticks at 30 Hz through node 0 and has `bots`
    /// play each on its owning node; returns each room with its owner's index.
    func startMatches(_ count: Int, ticks: Int, seed: Int, bots: BotRunner) throws -> [(room: AdminClient.CreatedRoom, owner: Int)] {
        var rooms: [(room: AdminClient.CreatedRoom, owner: Int)] = []
        for index in 0..<count {
            let room = try admin(0).createRoom(["players": 2, "tickRate": 30, "maxTicks": ticks, "seed": seed + index])
            guard let owner = node(of: room.url) else { throw FixtureFailure("no node at \(room.url)") }
            rooms.append((room, owner))
            for slot in 0..<2 {
                try bots.addBot(room: room.roomID, slot: slot, token: room.tokens[slot], seed: UInt64(seed + index), port: port(owner))
            }
        }
        return rooms
    }

    /// The replay file of `room` on node `index`.
    func replayPath(_ room: String, node index: Int) -> String { replays + "/node\(index)/" + room + ".lsr" }

    /// Kills node `index` with SIGKILL (no goodbye to the cluster).
    func kill9(_ index: Int) {
        nodes[index]?.stop(signal: SIGKILL)
        stopped.insert(index)
    }

    /// Sends SIGTERM to node `index` without waiting (it drains, then exits).
    func terminate(_ index: Int) {
        if let pid = nodes[index]?.pid { kill(pid, SIGTERM) }
    }

    /// A counter or gauge of node `index`'s `/metrics` (summed over its labels).
    func metric(_ name: String, node index: Int) -> Int {
        guard let response = try? admin(index).request("GET", "/metrics") else { return -1 }
        return String(decoding: response.body, as: UTF8.self).split(separator: "\n")
            .filter { $0.hasPrefix(name + " ") || $0.hasPrefix(name + "{") }
            .compactMap { $0.split(separator: " ").last.flatMap { Int($0) } }
            .reduce(0, +)
    }

    /// `GET /v1/cluster` through node `index`: the node list.
    func clusterNodes(via index: Int) -> [[String: Any]] {
        ((try? admin(index).request("GET", "/v1/cluster"))?.json?["nodes"] as? [[String: Any]]) ?? []
    }

    func stop() {
        for (index, node) in nodes.enumerated() where !stopped.contains(index) {
            node?.stop(signal: SIGKILL)
            stopped.insert(index)
        }
        redis.shutdown()
        try? FileManager.default.removeItem(atPath: replays)
    }
}

/// A cluster that could not be set up.
struct FixtureFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
