import Dispatch
import Synchronization
import LockstepEventLoop

/// A one-shot result handed from a loop thread to a waiting thread (start-up and shutdown only).
final class Bound: Sendable {
    private let result = Mutex<Result<Int, SystemError>?>(nil)
    private let signal = DispatchSemaphore(value: 0)

    func finish(_ value: Result<Int, SystemError>) {
        result.withLock { $0 = value }
        signal.signal()
    }

    func wait() -> Result<Int, SystemError> {
        signal.wait()
        return result.withLock { $0 } ?? .failure(SystemError("wait", errno: 0))
    }
}
