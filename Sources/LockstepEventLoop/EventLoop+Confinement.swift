#if canImport(Glibc)
import Glibc
#endif

/// Debug-build checks that loop-confined code runs on its loop's thread, in the style of
/// swift-nio's `assertInEventLoop`: each "loop thread only" entry point calls one first.
///
/// The checks are `assert`s: they trap in debug builds (the default for `swift build` and
/// `swift test`) and compile to nothing in release builds. They read one atomic and call
/// `pthread_self()`: no lock, no allocation (the message is built only when a check fails).
///
/// A loop that is not running (before `start()`, or after its thread has left `run()`) belongs
/// to whichever thread holds it: set-up before start and clean-up after `join()` pass the check.
/// From `start()` on, only the loop's thread does.
extension EventLoop {
    /// Traps in debug builds unless the caller may touch this loop's confined state: it is on
    /// the loop's thread, or the loop is not running. Nothing in release builds.
    @inlinable
    public func assertInEventLoop(file: StaticString = #fileID, line: UInt = #line) {
        assert(
            callerOwnsConfinedState,
            "\(self): a loop-thread-only method was called from another thread", file: file, line: line)
    }

    /// Whether the calling thread may touch this loop's confined state: it is the loop's thread,
    /// or no thread is running the loop. What `assertInEventLoop` checks.
    public var callerOwnsConfinedState: Bool {
        let owner = runningThread.load(ordering: .acquiring)
        return owner == 0 || (owner != Self.startingThread && pthread_equal(owner, pthread_self()) != 0)
    }
}
