/// The `LockstepSimulation` module. See README.md for the architecture.
public enum LockstepSimulationModule {
    /// The module's name, for diagnostics.
    public static let name = "LockstepSimulation"
}
