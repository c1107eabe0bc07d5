import LockstepCore
import Testing
@testable import LockstepRoom

/// `Room.connectedPlayers` is a stored count, kept by every change of a slot's connection.
@Suite struct RoomConnectedCountTests {
    /// Seeded: joins (new players, returning ones, a second connection replacing the first),
    /// closes, leaves and ticks in random order, then the end of the match: after every step the
    /// count equals the number of slots holding a connection.
    @Test func theConnectedCountMatchesTheSlotsThroughJoinsClosesLeavesAndTheEnd() throws {
        var random = SeededRandom(seed: 0xC0_0117)
        for round in 0..<20 {
            let output = RecordingOutput()
            let room = try RoomTests.makeRoom(players: 4, output: output, maxTicks: 5000, rollbackCapacity: 64)
            var now: UInt64 = 0
            var nextConnection: UInt64 = 100
            var open: [ConnectionID] = []
            func expectCountMatches(_ step: String) {
                let seated = room.slots.filter { $0.connection != nil }.count
                #expect(room.connectedPlayers == seated, "round \(round), after \(step)")
            }
            for _ in 0..<60 {
                switch random.next() % 4 {
                case 0:
                    let connection = ConnectionID(nextConnection)
                    nextConnection += 1
                    let slot = PlayerSlot(UInt8(random.next() % 4))
                    let lastTick: Tick? = room.slots[slot.index].hasJoined ? room.nextTick : nil
                    if (try? room.join(connection, as: .player(slot), lastTick: lastTick, now: now)) != nil {
                        open.append(connection)
                    }
                    expectCountMatches("a join")
                case 1 where !open.isEmpty:
                    let connection = open.remove(at: Int(random.next() % UInt64(open.count)))
                    room.connectionClosed(connection, now: now)
                    expectCountMatches("a close")
                case 2 where !open.isEmpty:
                    let connection = open[Int(random.next() % UInt64(open.count))]
                    if let slot = room.slots.firstIndex(where: { $0.connection == connection }) {
                        room.playerLeft(PlayerSlot(UInt8(slot)), connection: connection, now: now)
                    }
                    expectCountMatches("a leave")
                default:
                    now = room.nextWakeup ?? now + RoomTests.period
                    room.advance(now: now)
                    expectCountMatches("a tick")
                }
            }
            room.end(.adminEnded, now: now)
            #expect(room.connectedPlayers == 0)
            expectCountMatches("the end")
        }
    }
}
