import CoinRace
import LockstepCLI
import LockstepCore

#if canImport(Glibc)
import Glibc
#endif

// The games this server re-simulates (rooms of any other game are relayed). A studio with several
// games, or several versions of one still in play, registers each.
var simulations = SimulationRegistry()
simulations.register(CoinRace.self)

// Every `lockstep` command, with these games: `studio-server serve`, `studio-server replay verify …`.
let status = CommandLineTool.main(
    Array(CommandLine.arguments.dropFirst()), environment: ProcessEnvironment.current(), simulations: simulations,
    output: StandardOutput())
exit(status)
