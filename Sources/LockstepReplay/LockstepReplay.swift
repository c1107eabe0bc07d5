/// The `LockstepReplay` module. See README.md for the architecture.
public enum LockstepReplayModule {
    /// The module's name, for diagnostics.
    public static let name = "LockstepReplay"
}
