/// The `LockstepWebSocket` module. See README.md for the architecture.
public enum LockstepWebSocketModule {
    /// The module's name, for diagnostics.
    public static let name = "LockstepWebSocket"
}
