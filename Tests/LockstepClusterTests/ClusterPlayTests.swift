import Foundation
import LockstepBots
import LockstepClient
import LockstepCore
import LockstepEventLoop
import LockstepProtocol
import LockstepReplay
import LockstepSimulation
import LockstepTesting
import Synchronization
import Testing

/// Players on a cluster: matches on the owning nodes, and the wrong node sending them there.
@Suite(.serialized) struct ClusterPlayTests {
    @Test func botsPlayFullMatchesOnTheOwningNodesAndFollowAWrongNodeOnce() throws {
        let cluster = try ClusterFixture(nodes: 3)
        defer { cluster.stop() }
        let bots = try cluster.botRunner()
        defer { bots.stop() }
        var rooms: [(AdminClient.CreatedRoom, Int)] = []
        for index in 0..<3 {
            let room = try cluster.admin(0).createRoom(["players": 2, "tickRate": 30, "maxTicks": 90, "seed": 40 + index])
            rooms.append((room, try #require(cluster.node(of: room.url))))
        }
        #expect(Set(rooms.map(\.1)).count == 3)  // one room per node
        for (index, (room, owner)) in rooms.enumerated() {
            let wrong = (owner + 1) % 3
            // Slot 0 of each room is sent to a node that does not own it; slot 1 to the owner.
            try bots.addBot(room: room.roomID, slot: 0, token: room.tokens[0], seed: UInt64(40 + index), port: cluster.port(wrong))
            try bots.addBot(room: room.roomID, slot: 1, token: room.tokens[1], seed: UInt64(40 + index), port: cluster.port(owner))
        }
        #expect(bots.wait())
        let reports = bots.reports()
        #expect(reports.count == 6)
        for report in reports {
            #expect(report.endReason == .tickLimit, "\(report)")
            #expect(report.ticks == 90)
        }
        for (room, owner) in rooms {
            let client = try #require(bots.client(room: room.roomID, slot: 0))
            let redirected = Mutex<PlayURL?>(nil)
            try #require(client.loop).execute { redirected.withLock { $0 = client.core.redirectedTo } }
            #expect(eventually(5) { redirected.withLock { $0 } != nil })
            #expect(redirected.withLock { $0 } == PlayURL(host: "127.0.0.1", port: cluster.port(owner), room: room.roomID))
            // The owner wrote the replay, and it verifies.
            #expect(eventually(5) { (try? cluster.admin(owner).request("GET", "/v1/rooms/\(room.roomID)"))?.json?["replayStatus"] as? String == "written" })
            let replay = try ReplayReader.read(Array(try Data(contentsOf: URL(fileURLWithPath: cluster.replayPath(room.roomID, node: owner)))))
            let verified = try ReplayVerifier.verify(replay, using: .reference)
            #expect(verified.ticks == 90)
        }
        #expect((0..<3).map { cluster.metric("lockstep_cluster_wrong_node_total", node: $0) }.reduce(0, +) == 3)
    }

    /// The exact wire answer: ERROR 16 whose text ends with the owner's play URL, then close 4016.
    @Test func aPlayerAtTheWrongNodeGetsErrorSixteenNamingTheOwner() throws {
        let cluster = try ClusterFixture(nodes: 2)
        defer { cluster.stop() }
        let room = try cluster.admin(0).createRoom(["players": 2])
        let owner = try #require(cluster.node(of: room.url))
        let group = try EventLoopGroup(count: 1)
        defer { group.shutdown() }
        let client = try TestGameClient(port: cluster.port(1 - owner), room: room.roomID, loop: group.loops[0])
        client.hello(token: room.tokens[0])
        #expect(client.waitForClose() == 4016)
        let error = client.messages.compactMap { message -> (UInt16, Bool, String)? in
            if case .error(let code, let fatal, let text) = message { return (code, fatal, text) }
            return nil
        }.first
        #expect(error?.0 == 16 && error?.1 == true)
        #expect(error?.2 == "room is on another node: ws://127.0.0.1:\(cluster.port(owner))/v1/play?room=\(room.roomID)")
        // At the owner, the same token is welcome.
        let right = try TestGameClient(port: cluster.port(owner), room: room.roomID, loop: group.loops[0])
        right.hello(token: room.tokens[0])
        #expect(right.waitForMessages { $0.contains { if case .welcome = $0 { true } else { false } } })
    }
}
