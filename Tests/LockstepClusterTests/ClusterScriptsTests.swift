import Foundation
import LockstepRedis
import LockstepTesting
import Synchronization
import Testing

@testable import LockstepCluster

/// The cluster's Lua scripts, run on a real Redis directly (no node process): the atomic steps
/// docs/CLUSTER.md relies on.
@Suite(.serialized) struct ClusterScriptsTests {
    let keys = ClusterKeys(prefix: "lockstep:")

    func heartbeat(
        _ redis: RedisConnection, _ id: String, capacity: Int, state: String = "ready", live: [String] = [], now: Int = 1000
    ) throws -> RESPValue {
        try redis.eval(
            ClusterScripts.heartbeat, keys: [keys.nodes, keys.node(id), keys.nodeRooms(id)],
            arguments: [id, "60000", state, "0", String(now), "http://\(id)", "ws://\(id)", String(capacity), "600", keys.prefix] + live)
    }

    func place(_ redis: RedisConnection, _ room: String, skipping: [String] = []) throws -> [String] {
        let reply = try redis.eval(ClusterScripts.place, keys: [keys.nodes, keys.room(room)], arguments: [room, "1000", keys.prefix] + skipping)
        return (reply.array ?? []).compactMap(\.string)
    }

    /// A fresh Redis and a connection to it.
    func startRedis() throws -> (RedisServerProcess, RedisConnection) {
        let server = try RedisServerProcess()
        return (server, try RedisConnection(url: server.url, timeoutMillis: 2000))
    }

    func field(_ redis: RedisConnection, _ key: String, _ name: String) throws -> String? {
        try redis.command(["HGET", key, name]).string
    }

    @Test func placementFillsTheNodeWithMostSpareSlotsAndNeverOverfills() throws {
        let (server, redis) = try startRedis()
        defer { server.shutdown() }
        _ = try heartbeat(redis, "a", capacity: 1)
        _ = try heartbeat(redis, "b", capacity: 3)
        _ = try heartbeat(redis, "c", capacity: 2)
        _ = try heartbeat(redis, "d", capacity: 9, state: "draining")
        var chosen: [String] = []
        for index in 0..<6 { chosen.append(try place(redis, "r\(index)")[1]) }
        // b (3 spare), then ties to the smallest id: b c, then a b c … never d (draining).
        #expect(chosen == ["b", "b", "c", "a", "b", "c"])
        #expect(try place(redis, "r6") == ["full"])
        #expect(try place(redis, "r0") == ["exists"])
        #expect(try field(redis, keys.node("b"), "rooms") == "3")
        #expect(try field(redis, keys.room("r0"), "state") == "placed")
        #expect(try redis.command(["SCARD", keys.nodeRooms("b")]) == .integer(3))
    }

    @Test func concurrentPlacementsTakeEachFreeSlotOnce() throws {
        let server = try RedisServerProcess()
        defer { server.shutdown() }
        let setup = try RedisConnection(url: server.url, timeoutMillis: 2000)
        for id in ["a", "b", "c"] { _ = try heartbeat(setup, id, capacity: 5) }
        let outcomes = Mutex<[String]>([])
        let url = server.url
        let keys = keys
        DispatchQueue.concurrentPerform(iterations: 4) { worker in
            guard let redis = try? RedisConnection(url: url, timeoutMillis: 2000) else { return }
            for index in 0..<10 {
                let room = "w\(worker)-\(index)"
                let reply = try? redis.eval(ClusterScripts.place, keys: [keys.nodes, keys.room(room)], arguments: [room, "1000", keys.prefix])
                outcomes.withLock { $0.append(reply?.array?.first?.string ?? "error") }
            }
        }
        let all = outcomes.withLock { $0 }
        #expect(all.filter { $0 == "placed" }.count == 15)
        #expect(all.filter { $0 == "full" }.count == 25)
        for id in ["a", "b", "c"] { #expect(try field(setup, keys.node(id), "rooms") == "5") }
    }

    @Test func aDeadNodeIsReapedOnceEvenByConcurrentReapers() throws {
        let (server, redis) = try startRedis()
        defer { server.shutdown() }
        _ = try heartbeat(redis, "a", capacity: 10)
        _ = try heartbeat(redis, "b", capacity: 10)
        for index in 0..<6 { _ = try place(redis, "r\(index)") }  // three on each
        _ = try redis.command(["HSET", keys.room("r1"), "state", "ended"])  // one of b's had ended
        _ = try redis.command(["DEL", keys.node("b")])  // b's key expired
        let found = Mutex<[[RESPValue]]>([])
        let url = server.url
        let keys = keys
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            guard let reaper = try? RedisConnection(url: url, timeoutMillis: 2000),
                let reply = try? reaper.eval(ClusterScripts.reap, keys: [keys.nodes], arguments: [keys.prefix, "600", "5000"]).array
            else { return }
            found.withLock { $0.append(reply) }
        }
        let replies = found.withLock { $0 }
        #expect(replies.count == 4)
        #expect(replies.filter { !$0.isEmpty } == [[.bulkString(Array("b".utf8)), .integer(2)]])  // once, two rooms
        for room in ["r1", "r3", "r5"] {
            #expect(try field(redis, keys.room(room), "state") == (room == "r1" ? "ended" : "lost"))
        }
        #expect(try field(redis, keys.room("r0"), "state") == "placed")  // a's rooms untouched
        #expect(try redis.command(["SMEMBERS", keys.nodes]) == .array([.bulkString(Array("a".utf8))]))
        #expect(try place(redis, "r9")[1] == "a")
    }

    @Test func aNodeRegisteringAgainClaimsItsRunningRoomsAndCountsOnlyThem() throws {
        let (server, redis) = try startRedis()
        defer { server.shutdown() }
        #expect(try heartbeat(redis, "a", capacity: 4) == .array([.integer(1), .integer(0)]))  // registered
        #expect(try heartbeat(redis, "a", capacity: 4) == .array([.integer(0), .integer(0)]))  // refreshed
        _ = try redis.command(["FLUSHALL"])  // Redis restarted empty
        #expect(try heartbeat(redis, "a", capacity: 4, live: ["x", "y"]) == .array([.integer(1), .integer(0)]))
        #expect(try field(redis, keys.node("a"), "rooms") == "2")
        #expect(try field(redis, keys.room("x"), "state") == "running")
        #expect(try field(redis, keys.room("y"), "node") == "a")
        // y ends without the observer telling (Redis was down then): the next heartbeat frees its slot.
        #expect(try heartbeat(redis, "a", capacity: 4, live: ["x"]) == .array([.integer(0), .integer(1)]))
        #expect(try field(redis, keys.node("a"), "rooms") == "1")
        #expect(try field(redis, keys.room("y"), "state") == "ended")
    }

    /// The race a loaded node lost (found by the 90-room placement test under a full test run):
    /// its heartbeat listed its rooms, a room was created and marked `created` in Redis, and then
    /// the heartbeat ran without it. A room placed less than 30 s ago is kept; an older one that
    /// the node does not list is freed.
    @Test func aRoomCreatedAfterTheHeartbeatListedItsRoomsKeepsItsSlot() throws {
        let (server, redis) = try startRedis()
        defer { server.shutdown() }
        _ = try heartbeat(redis, "a", capacity: 4)
        #expect(try place(redis, "r")[0] == "placed")  // placed at 1000
        _ = try redis.eval(
            ClusterScripts.roomState, keys: [keys.room("r"), keys.node("a"), keys.nodeRooms("a")],
            arguments: ["r", "created", "", "600"])
        #expect(try heartbeat(redis, "a", capacity: 4, live: [], now: 1000 + 29_000) == .array([.integer(0), .integer(0)]))
        #expect(try field(redis, keys.node("a"), "rooms") == "1")
        #expect(try field(redis, keys.room("r"), "state") == "created")
        #expect(try heartbeat(redis, "a", capacity: 4, live: [], now: 1000 + 31_000) == .array([.integer(0), .integer(1)]))
        #expect(try field(redis, keys.node("a"), "rooms") == "0")
        #expect(try field(redis, keys.room("r"), "state") == "ended")
    }

    @Test func anEndedRoomGivesItsSlotBackOnce() throws {
        let (server, redis) = try startRedis()
        defer { server.shutdown() }
        _ = try heartbeat(redis, "a", capacity: 2)
        _ = try place(redis, "r")
        let end = { () throws -> RESPValue in
            try redis.eval(
                ClusterScripts.roomState, keys: [self.keys.room("r"), self.keys.node("a"), self.keys.nodeRooms("a")],
                arguments: ["r", "ended", "tickLimit", "600"])
        }
        _ = try end()
        _ = try end()
        #expect(try field(redis, keys.node("a"), "rooms") == "0")
        #expect(try field(redis, keys.room("r"), "endReason") == "tickLimit")
        #expect(try redis.command(["TTL", keys.room("r")]).integer.map { $0 > 0 && $0 <= 600 } == true)
    }
}
