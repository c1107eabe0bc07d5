import LockstepCore
import Testing
@testable import LockstepBattleServer

/// The driver's connection lists: a walk visits every entry in order, skips nil ones, and keeps
/// the entries alive even when the list itself drops them during the walk.
@Suite struct ConnectionListTests {
    final class Peer {
        let number: Int
        let onDeinit: () -> Void
        init(_ number: Int, onDeinit: @escaping () -> Void = {}) {
            self.number = number
            self.onDeinit = onDeinit
        }
        deinit { onDeinit() }
    }

    @Test func aWalkVisitsEveryEntryInOrderAndSkipsNilOnes() {
        let peers = (0..<5).map { Peer($0) }
        let list = ConnectionList<Peer>([peers[0], nil, peers[2], peers[3], nil, peers[4]])
        var seen: [Int] = []
        list.forEach { seen.append($0.number) }
        #expect(seen == [0, 2, 3, 4])
    }

    @Test func aSeededMixOfAppendsAndRemovalsMatchesAPlainArray() {
        var random = SeededRandom(seed: 11)
        let peers = (0..<8).map { Peer($0) }
        var list = ConnectionList<Peer>()
        var model: [Peer] = []
        for _ in 0..<2_000 {
            let peer = peers[Int(random.next(below: UInt64(peers.count)))]
            if random.next(below: 3) == 0 {
                list.remove(peer)
                model.removeAll { $0 === peer }
            } else {
                list.append(peer)
                model.append(peer)
            }
            var seen: [Int] = []
            list.forEach { seen.append($0.number) }
            #expect(seen == model.map(\.number))
        }
        list.removeAll()
        #expect(list.isEmpty)
    }

    @Test func anEntryDroppedDuringTheWalkLivesUntilTheWalkEnds() {
        var freed: [Int] = []
        var list = ConnectionList<Peer>()
        do {
            for number in 0..<3 { list.append(Peer(number) { freed.append(number) }) }
        }
        var visited: [Int] = []
        var freedDuringWalk: [Int] = []
        // Each visit drops every entry from the list (as a close during a tick's sends does);
        // the walk still reaches the rest, alive, and they are freed only after it.
        list.forEach { peer in
            visited.append(peer.number)
            list.removeAll()
            freedDuringWalk = freed
        }
        #expect(visited == [0, 1, 2])
        #expect(freedDuringWalk.isEmpty)
        #expect(freed.sorted() == [0, 1, 2])
    }
}
