import LockstepCore

extension SimulationRegistry {
    /// A registry holding the reference arena (`lockstep.arena` version 1): what the `lockstep`
    /// executable registers, and what tools and tests about the arena use.
    public static var reference: SimulationRegistry {
        var registry = SimulationRegistry()
        registry.register(ArenaSimulation.self)
        return registry
    }
}
