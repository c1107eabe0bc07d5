import Testing
@testable import LockstepEventLoop

@Test func moduleNameIsStable() {
    #expect(LockstepEventLoopModule.name == "LockstepEventLoop")
}
