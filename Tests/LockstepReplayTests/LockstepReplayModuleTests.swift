import Testing
@testable import LockstepReplay

@Test func moduleNameIsStable() {
    #expect(LockstepReplayModule.name == "LockstepReplay")
}
