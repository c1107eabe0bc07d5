import Foundation
import LockstepBattleServer
import LockstepBots
import LockstepCore
import LockstepServer
import LockstepSimulation
import LockstepTesting

/// A test battle server as `lockstep serve` runs it for the pages: the arena with its seat bots,
/// on 127.0.0.1 (so public access is on by default), short fast matches.
enum WebServerFixture {
    static var arenaWithBots: SimulationRegistry {
        var registry = SimulationRegistry()
        registry.register(ArenaSimulation.self, bot: ArenaSeatBot.factory)
        return registry
    }

    static func server(
        maxTicks: Int = 240, _ configure: @escaping (inout BattleConfiguration) -> Void = { _ in }
    ) throws -> TestBattleServer {
        try TestBattleServer(simulations: arenaWithBots) { battle, _ in
            battle.roomDefaults.tickRate = 120
            battle.roomDefaults.maxTicks = maxTicks
            configure(&battle)
        }
    }

    static func json(_ object: [String: Any]) -> [UInt8] {
        Array((try? JSONSerialization.data(withJSONObject: object)) ?? Data())
    }

    static func admin(_ server: TestBattleServer) -> [(String, String)] {
        [("Authorization", "Bearer \(server.adminKey)")]
    }
}
