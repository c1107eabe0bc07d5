import CAllocationCounter
import Testing
@testable import LockstepEventLoop

#if canImport(Glibc)
import Glibc
#endif

/// Whether `assert` is compiled in (debug builds): the confinement checks are `assert`s.
let assertionsAreChecked: Bool = {
    var checked = false
    assert({ checked = true; return true }())
    return checked
}()

/// The message a failed confinement check prints.
let confinementMessage = "a loop-thread-only method was called from another thread"

@Suite struct ConfinementTests {
    /// The predicate behind the checks: the loop's own thread while it runs, anyone while no
    /// thread runs it (set-up before `start()`, clean-up after the loop has exited).
    @Test func theLoopThreadOwnsItsStateWhileTheLoopRuns() throws {
        let loop = try EventLoop(index: 7)
        #expect(!loop.inEventLoop)
        #expect(loop.callerOwnsConfinedState)
        try loop.start()
        let onLoopThread = onLoop(loop) { (loop.inEventLoop, loop.callerOwnsConfinedState) }
        #expect(onLoopThread?.0 == true)
        #expect(onLoopThread?.1 == true)
        #expect(!loop.inEventLoop)
        #expect(!loop.callerOwnsConfinedState)
        loop.stop()
        loop.join()
        #expect(!loop.inEventLoop)
        #expect(loop.callerOwnsConfinedState)
    }

    /// The check is free enough for the hot paths: no allocation (the allocation-counting tests
    /// run in debug builds, where it is on).
    @Test func aPassingCheckAllocatesNothing() throws {
        let group = try EventLoopGroup(count: 1)
        defer { group.shutdown() }
        let loop = group.loops[0]
        let allocations = onLoop(loop) { () -> Int in
            loop.assertInEventLoop()
            let before = lockstep_thread_allocations()
            for _ in 0..<10_000 { loop.assertInEventLoop() }
            return Int(lockstep_thread_allocations() - before)
        }
        #expect(allocations == 0)
    }

    /// Scheduling a timer from a thread that is not the running loop's traps (debug builds),
    /// naming the loop and the rule; the child process dies of it.
    @Test(.enabled(if: assertionsAreChecked))
    func schedulingATimerFromAnotherThreadTraps() async throws {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            guard let group = try? EventLoopGroup(count: 1) else { exit(0) }
            group.loops[0].scheduleTimer(at: .now()) { _ in }
            exit(0)  // not reached when the check fires
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.contains("loop0: \(confinementMessage)"))
    }

    /// Writing to a connection from another thread traps (debug builds).
    @Test(.enabled(if: assertionsAreChecked))
    func writingToAConnectionFromAnotherThreadTraps() async throws {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            guard let group = try? EventLoopGroup(count: 1) else { exit(0) }
            let loop = group.loops[0]
            let server = TestServer(loop: loop) { RecordingDelegate() }
            guard let client = connectClient(loop: loop, port: server.port, delegate: RecordingDelegate()) else { exit(0) }
            [1, 2, 3].withUnsafeBytes { client.write($0) }
            exit(0)  // not reached when the check fires
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.contains(confinementMessage))
        #expect(stderr.contains("TCPConnection.swift"))
    }
}
