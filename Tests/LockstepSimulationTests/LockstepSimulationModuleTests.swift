import Testing
@testable import LockstepSimulation

@Test func moduleNameIsStable() {
    #expect(LockstepSimulationModule.name == "LockstepSimulation")
}
