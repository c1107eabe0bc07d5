import LockstepCore
import LockstepEventLoop
import LockstepTesting
import Testing

/// The batch window (`serve --batch-window-us`) over real sockets: the server's loops sleep until
/// each tick and poll once, so every input reaches them in a tick's wake-up. A room about to tick
/// reads its own players' input first (`EventLoop.handleDeferredEvents(fd:)`), so input sent
/// before the deadline counts for the tick, while other rooms' input waits until the ticks are out.
@Suite struct BatchedWakeUpTests {
    @Test func inputThatArrivesWhileTheLoopSleepsThroughTheWindowCountsForTheNextTick() throws {
        // A window longer than the tick period: the loops never watch their sockets between ticks.
        let server = try TestBattleServer(loops: 1) { _, network in
            network.wakeups = WakeupPolicy(batchWindowNanoseconds: 1_000_000_000)
        }
        defer { server.stop() }
        let room = try server.admin.createRoom(["players": 2, "tickRate": 10, "inputDelay": 0, "maxTicks": 200])
        // Each player sends its input for tick t + 1 when the frame of tick t arrives: during the
        // loop's sleep before tick t + 1, a whole period (100 ms) before its deadline.
        let players = try server.players(of: room)
        #expect(players[0].waitForFrames(25))
        #expect(players[1].waitForFrames(25))
        let frames = players[0].frames.dropFirst(3).prefix(20)
        let onTime = frames.reduce(0) { count, frame in
            count + (0..<2).filter { frame.status(of: $0) == .onTime }.count
        }
        // Read after the tick instead, every input would be late (0 of 40). A pause of a busy
        // host can make a few late for real: most, not all, must be on time.
        #expect(onTime >= 36, "\(onTime) of 40 inputs on time")
    }
}
