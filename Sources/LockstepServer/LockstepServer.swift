/// The `LockstepServer` module. See README.md for the architecture.
public enum LockstepServerModule {
    /// The module's name, for diagnostics.
    public static let name = "LockstepServer"
}
