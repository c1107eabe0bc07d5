import LockstepTesting
import Testing
@testable import LockstepBattleServer

#if canImport(Glibc)
import Glibc
#endif

@Suite struct RoomConfinementTests {
    /// Whether `assert` is compiled in (debug builds), where the confinement checks are on.
    static let checked: Bool = {
        var on = false
        assert({ on = true; return true }())
        return on
    }()

    /// A room is driven only on its loop: ending it from another thread (the admin API's thread,
    /// say, instead of hopping with `loop.execute`) traps in debug builds.
    @Test(.enabled(if: checked))
    func endingARoomFromAnotherThreadThanItsLoopTraps() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            guard let server = try? TestBattleServer(), let room = try? server.admin.createRoom(["players": 2]),
                let driver = server.server.directory.entry(room.roomID)?.driver
            else { exit(0) }
            driver.driver.end(.adminEnded)
            exit(0)  // not reached when the check fires
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.contains("a loop-thread-only method was called from another thread"))
        #expect(stderr.contains("RoomDriver.swift"), "\(stderr)")
    }
}
