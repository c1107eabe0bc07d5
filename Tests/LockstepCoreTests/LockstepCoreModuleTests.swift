import Testing
@testable import LockstepCore

@Test func moduleNameIsStable() {
    #expect(LockstepCoreModule.name == "LockstepCore")
}
