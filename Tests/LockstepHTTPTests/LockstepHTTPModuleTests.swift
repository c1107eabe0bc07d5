import Testing
@testable import LockstepHTTP

@Test func moduleNameIsStable() {
    #expect(LockstepHTTPModule.name == "LockstepHTTP")
}
