import Testing
@testable import LockstepCrypto

@Test func moduleNameIsStable() {
    #expect(LockstepCryptoModule.name == "LockstepCrypto")
}
