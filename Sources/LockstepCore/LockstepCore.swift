/// The `LockstepCore` module. See README.md for the architecture.
public enum LockstepCoreModule {
    /// The module's name, for diagnostics.
    public static let name = "LockstepCore"
}
