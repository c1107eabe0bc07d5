import LockstepCore
import LockstepSimulation
import TugOfWarGame

extension TugOfWar {
    /// The registry a server or verifier of this game is given: the arena and the tug of war.
    static var registry: SimulationRegistry {
        var registry = SimulationRegistry.reference
        registry.register(TugOfWar.self)
        return registry
    }
}
