import Foundation
import LockstepBench
import LockstepClient
import LockstepTesting
import Synchronization
import Testing

/// Placement over a real Redis and three `lockstep serve` nodes.
@Suite(.serialized) struct ClusterPlacementTests {
    @Test func ninetyRoomsCreatedThroughOneNodeSpreadEvenlyOverThree() throws {
        let cluster = try ClusterFixture(nodes: 3)
        defer { cluster.stop() }
        let admin = cluster.admin(0)
        var perNode = [0, 0, 0]
        var ids: Set<String> = []
        var rooms: [AdminClient.CreatedRoom] = []
        for _ in 0..<90 {
            let room = try admin.createRoom(["players": 2])
            let node = try #require(cluster.node(of: room.url), "\(room.url)")
            perNode[node] += 1
            ids.insert(room.roomID)
            rooms.append(room)
        }
        #expect(ids.count == 90)  // ids are unique cluster-wide
        for count in perNode { #expect((27...33).contains(count), "\(perNode)") }  // ±10 % of 30
        // The directory agrees: every node lists the three with their load.
        let listed = cluster.clusterNodes(via: 2)
        #expect(listed.count == 3)
        #expect(listed.compactMap { $0["rooms"] as? Int }.reduce(0, +) == 90)
        #expect(listed.allSatisfy { $0["state"] as? String == "ready" && $0["capacity"] as? Int == 200 })
        // Any node answers for any room: the owner's own summary, with the owner named.
        for room in rooms.prefix(6) {
            let owner = try #require(cluster.node(of: room.url))
            let other = (owner + 1) % 3
            let answer = try cluster.admin(other).request("GET", "/v1/rooms/\(room.roomID)")
            #expect(answer.status == 200)
            #expect(answer.json?["phase"] as? String == "waiting")
            #expect(answer.json?["node"] as? String == "127.0.0.1:\(cluster.port(owner))")
        }
        #expect(try cluster.admin(1).request("GET", "/v1/rooms/no-such-room").status == 404)
        // An id already in the directory is refused wherever it is asked for again.
        let again = try cluster.admin(2).request("POST", "/v1/rooms", body: Array("{\"roomID\":\"\(rooms[0].roomID)\"}".utf8))
        #expect(again.status == 400)
        let badID = try cluster.admin(2).request("POST", "/v1/rooms", body: Array("{\"roomID\":\"no spaces\"}".utf8))
        #expect(badID.status == 400 && String(decoding: badID.body, as: UTF8.self).contains("roomID: must be 1 to 64 letters"))
        #expect(try cluster.admin(2).request("POST", "/v1/rooms", body: Array("[1]".utf8)).status == 400)
        // Ending a room through a node that does not own it reaches its owner.
        let owner = try #require(cluster.node(of: rooms[1].url))
        #expect(try cluster.admin((owner + 2) % 3).request("POST", "/v1/rooms/\(rooms[1].roomID)/end").status == 200)
        #expect(eventually(5) { (try? cluster.admin(owner).request("GET", "/v1/rooms/\(rooms[1].roomID)"))?.json?["phase"] as? String == "ended" })
    }

    @Test func concurrentCreationsFromTwoNodesNeverExceedANodesCapacity() throws {
        let cluster = try ClusterFixture(nodes: 3, maxRooms: 4)
        defer { cluster.stop() }
        let statuses = Mutex<[Int]>([])
        let admins = [cluster.admin(0), cluster.admin(1)]
        DispatchQueue.concurrentPerform(iterations: 30) { index in
            let status = (try? admins[index % 2].request("POST", "/v1/rooms", body: Array("{}".utf8)))?.status ?? -1
            statuses.withLock { $0.append(status) }
        }
        let all = statuses.withLock { $0 }
        #expect(all.filter { $0 == 201 }.count == 12, "\(all.sorted())")  // 3 nodes × 4 rooms
        #expect(all.filter { $0 == 429 }.count == 18, "\(all.sorted())")  // cluster full, never a 5th room
        for node in 0..<3 {
            let rooms = try cluster.admin(node).request("GET", "/v1/rooms").json?["rooms"] as? [Any]
            #expect(rooms?.count == 4)
        }
        let full = try cluster.admin(2).request("POST", "/v1/rooms", body: Array("{}".utf8))
        #expect(full.status == 429)
        #expect(String(decoding: full.body, as: UTF8.self).contains("no ready node of the cluster has a free room slot"))
        #expect(cluster.metric("lockstep_cluster_placements_total", node: 0) + cluster.metric("lockstep_cluster_placements_total", node: 1) == 30)
    }

    @Test func benchThroughOneNodeSpreadsItsRoomsOverTheCluster() throws {
        let cluster = try ClusterFixture(nodes: 3)
        defer { cluster.stop() }
        let executable = try #require(ServerProcess.siblingExecutable())
        let bench = Process()
        bench.executableURL = URL(fileURLWithPath: executable)
        bench.arguments = [
            "bench", "--url", "ws://127.0.0.1:\(cluster.port(0))/v1/play", "--admin-url", "http://127.0.0.1:\(cluster.port(0))",
            "--admin-key", ClusterFixture.adminKey, "--rooms", "6", "--players", "2", "--warmup", "0", "--duration", "1", "--quiet",
            "--budget-us", "10000000",
        ]
        bench.standardOutput = FileHandle.nullDevice
        try bench.run()
        bench.waitUntilExit()
        #expect(bench.terminationReason == .exit)
        // Two rooms on each node, and each room's bots played on its node (its frames counted).
        for node in 0..<3 {
            let rooms = try #require(try cluster.admin(node).request("GET", "/v1/rooms").json?["rooms"] as? [[String: Any]])
            #expect(rooms.count == 2)
            #expect(rooms.allSatisfy { ($0["ticks"] as? Int ?? 0) > 0 }, "\(rooms)")
        }
    }
}
