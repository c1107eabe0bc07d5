/// A player the server runs itself (a bot seat): each tick it decides its input from the match's
/// state as the server re-simulates it.
///
/// Its inputs go into the room through the same input path as a player's, so frames, replays and
/// hashes are those of a match with a player who sends each input on time. A bot is made per
/// seat from the seed of the match and its slot (`SimulationRegistry.register(_:bot:)`), and
/// lives on the room's thread.
public protocol SimulationBot {
    /// Writes its input for `tick` into `payload` (which it first empties), having seen
    /// `simulation`: the state after the tick before. Called once per tick on the room's thread;
    /// keep it allocation-free (reuse `payload`'s storage).
    mutating func input(for tick: Tick, simulation: any DeterministicSimulation, into payload: inout [UInt8])
}

/// Makes the bot for one seat: its slot and the match's seed.
public typealias SimulationBotFactory = @Sendable (_ slot: Int, _ seed: UInt64) -> any SimulationBot
