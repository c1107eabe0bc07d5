/// The `LockstepEventLoop` module. See README.md for the architecture.
public enum LockstepEventLoopModule {
    /// The module's name, for diagnostics.
    public static let name = "LockstepEventLoop"
}
