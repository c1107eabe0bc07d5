/// The `LockstepHTTP` module. See README.md for the architecture.
public enum LockstepHTTPModule {
    /// The module's name, for diagnostics.
    public static let name = "LockstepHTTP"
}
