import Testing
@testable import LockstepServer

@Test func moduleNameIsStable() {
    #expect(LockstepServerModule.name == "LockstepServer")
}
