import Testing
@testable import LockstepWebSocket

@Test func moduleNameIsStable() {
    #expect(LockstepWebSocketModule.name == "LockstepWebSocket")
}
