import LockstepCLI
import LockstepCore
import LockstepSimulation

#if canImport(Glibc)
import Glibc
#endif

// The games this server and its tools run: the reference arena. A studio's own executable
// registers its simulations here the same way (docs/EMBEDDING.md).
var simulations = SimulationRegistry()
simulations.register(ArenaSimulation.self)

let environment = ProcessEnvironment.current()
let status = CommandLineTool.main(
    Array(CommandLine.arguments.dropFirst()), environment: environment, simulations: simulations, output: StandardOutput())
exit(status)
