import LockstepBots
import LockstepCLI
import LockstepCore
import LockstepSimulation

#if canImport(Glibc)
import Glibc
#endif

// The games this server and its tools run: the reference arena, with its seeded bots for the
// server-run seats of rooms that ask for them. A studio's own executable registers its
// simulations here the same way (docs/EMBEDDING.md).
var simulations = SimulationRegistry()
simulations.register(ArenaSimulation.self, bot: ArenaSeatBot.factory)

let environment = ProcessEnvironment.current()
let status = CommandLineTool.main(
    Array(CommandLine.arguments.dropFirst()), environment: environment, simulations: simulations, output: StandardOutput())
exit(status)
