/// The `LockstepCrypto` module. See README.md for the architecture.
public enum LockstepCryptoModule {
    /// The module's name, for diagnostics.
    public static let name = "LockstepCrypto"
}
