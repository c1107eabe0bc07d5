import Foundation
import LockstepBots
import LockstepClient
import LockstepEventLoop
import LockstepReplay
import LockstepSimulation
import LockstepTesting
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// What the cluster does when a node dies, drains, or Redis goes away.
@Suite(.serialized) struct ClusterFailureTests {
    @Test func aKilledNodeIsFoundWithinTwoTTLsItsRoomsMarkedLostOnceAndNewRoomsGoElsewhere() throws {
        let cluster = try ClusterFixture(nodes: 3)
        defer { cluster.stop() }
        var rooms: [(String, Int)] = []
        for _ in 0..<9 {
            let room = try cluster.admin(0).createRoom(["players": 2])
            rooms.append((room.roomID, try #require(cluster.node(of: room.url))))
        }
        let doomed = rooms.filter { $0.1 == 2 }.map(\.0)
        #expect(doomed.count == 3)
        let killedAt = MonotonicInstant.now()
        cluster.kill9(2)
        // Detected and marked within two TTLs (the key expires within one; a heartbeat of the
        // others finds it within one more interval).
        let detected = eventually(Double(2 * ClusterFixture.ttlMillis) / 1000) {
            (try? cluster.admin(0).request("GET", "/v1/rooms/\(doomed[0])"))?.json?["phase"] as? String == "lost"
        }
        let detectionMillis = MonotonicInstant.now().nanoseconds(since: killedAt) / 1_000_000
        print("cluster: killed node detected and its rooms marked lost after \(detectionMillis) ms (TTL \(ClusterFixture.ttlMillis) ms)")
        #expect(detected, "not marked lost within 2 TTLs")
        for id in doomed {
            let answer = try cluster.admin(1).request("GET", "/v1/rooms/\(id)")
            #expect(answer.json?["phase"] as? String == "lost")
            #expect(answer.json?["node"] as? String == "127.0.0.1:\(cluster.port(2))")
        }
        // Exactly once: one node found it and marked its three rooms.
        #expect(eventually(2) { cluster.metric("lockstep_cluster_nodes_lost_total", node: 0) + cluster.metric("lockstep_cluster_nodes_lost_total", node: 1) == 1 })
        #expect(cluster.metric("lockstep_cluster_rooms_marked_lost_total", node: 0) + cluster.metric("lockstep_cluster_rooms_marked_lost_total", node: 1) == 3)
        #expect(cluster.clusterNodes(via: 1).count == 2)
        for _ in 0..<6 {
            let room = try cluster.admin(1).createRoom(["players": 2])
            #expect(cluster.node(of: room.url) != 2)
        }
        // Rooms of the living nodes are untouched.
        for (id, node) in rooms where node != 2 {
            #expect(try cluster.admin(node).request("GET", "/v1/rooms/\(id)").json?["phase"] as? String == "waiting")
        }
    }

    @Test func aTerminatedNodeDrainsItsMatchesToTheirEndThenLeaves() throws {
        let cluster = try ClusterFixture(nodes: 3, extra: ["--drain-timeout", "60"])
        defer { cluster.stop() }
        let bots = try cluster.botRunner()
        defer { bots.stop() }
        let rooms = try cluster.startMatches(6, ticks: 120, seed: 70, bots: bots)
        let draining = rooms.filter { $0.1 == 1 }
        #expect(draining.count == 2)
        // Once its matches run, node 1 gets SIGTERM.
        #expect(eventually(10) {
            draining.allSatisfy { (try? cluster.admin(1).request("GET", "/v1/rooms/\($0.0.roomID)"))?.json?["phase"] as? String == "running" }
        })
        let terminatedAt = MonotonicInstant.now()
        cluster.terminate(1)
        #expect(eventually(5) { cluster.clusterNodes(via: 0).contains { $0["id"] as? String == "127.0.0.1:\(cluster.port(1))" && $0["state"] as? String == "draining" } })
        for _ in 0..<4 {
            let room = try cluster.admin(0).createRoom(["players": 2])
            #expect(cluster.node(of: room.url) != 1)  // no new room on a draining node
        }
        let status = cluster.nodes[1]?.waitForExit(timeout: 30)
        let drainMillis = MonotonicInstant.now().nanoseconds(since: terminatedAt) / 1_000_000
        print("cluster: drained node exited \(drainMillis) ms after SIGTERM with its matches running")
        #expect(status.map { $0 & 0x7f == 0 && ($0 >> 8) & 0xff == 0 } == true, "exit status \(String(describing: status))")
        #expect(bots.wait())
        for report in bots.reports() { #expect(report.endReason == .tickLimit, "\(report)") }
        for (room, _) in draining {
            let replay = try ReplayReader.read(Array(try Data(contentsOf: URL(fileURLWithPath: cluster.replayPath(room.roomID, node: 1)))))
            let verified = try ReplayVerifier.verify(replay, using: .reference)
            #expect(verified.ticks == 120 && verified.mismatch == nil && !verified.isTruncated)
        }
        // It said goodbye: gone from the directory at once, not after a TTL.
        #expect(eventually(2) { cluster.clusterNodes(via: 0).count == 2 })
        #expect(cluster.metric("lockstep_cluster_nodes_lost_total", node: 0) + cluster.metric("lockstep_cluster_nodes_lost_total", node: 2) == 0)
    }

    @Test func redisStoppedAndRestartedUnderLoadMatchesKeepRunningAndCreationRecovers() throws {
        let cluster = try ClusterFixture(nodes: 3)
        defer { cluster.stop() }
        let bots = try cluster.botRunner()
        defer { bots.stop() }
        let rooms = try cluster.startMatches(3, ticks: 150, seed: 90, bots: bots)
        #expect(eventually(10) { rooms.allSatisfy { (try? cluster.admin($0.1).request("GET", "/v1/rooms/\($0.0.roomID)"))?.json?["phase"] as? String == "running" } })
        cluster.redis.stop()
        let refused = try cluster.admin(0).request("POST", "/v1/rooms", body: Array("{}".utf8))
        #expect(refused.status == 503)
        #expect(String(decoding: refused.body, as: UTF8.self).contains("the cluster directory (Redis) is unreachable"))
        // Each node notices (a failed heartbeat, counted), and its matches go on meanwhile.
        #expect(eventually(5) { (0..<3).allSatisfy { cluster.metric("lockstep_cluster_heartbeat_failures_total", node: $0) > 0 } })
        let ticksBefore = try cluster.admin(rooms[0].1).request("GET", "/v1/rooms/\(rooms[0].0.roomID)").json?["ticks"] as? Int ?? 0
        #expect(eventually(5) { ((try? cluster.admin(rooms[0].1).request("GET", "/v1/rooms/\(rooms[0].0.roomID)"))?.json?["ticks"] as? Int ?? 0) > ticksBefore + 10 })
        try cluster.redis.restart()
        // Creation recovers once the nodes have reconnected and registered again.
        #expect(eventually(10) { (try? cluster.admin(0).request("POST", "/v1/rooms", body: Array("{\"players\":2}".utf8)))?.status == 201 })
        #expect(eventually(5) { cluster.clusterNodes(via: 2).count == 3 })
        // The running rooms were claimed again by their nodes: any node answers for them.
        for (room, owner) in rooms {
            let answer = try cluster.admin((owner + 1) % 3).request("GET", "/v1/rooms/\(room.roomID)")
            #expect(answer.status == 200, "\(String(decoding: answer.body, as: UTF8.self))")
        }
        #expect(bots.wait())
        for report in bots.reports() { #expect(report.endReason == .tickLimit && report.ticks == 150, "\(report)") }
        #expect(cluster.metric("lockstep_redis_connects_total", node: 0) >= 2)
        #expect(cluster.metric("lockstep_cluster_registrations_total", node: 0) >= 2)
    }
}
