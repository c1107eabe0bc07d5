import CLockstepSystem

#if canImport(Glibc)
import Glibc
#endif

/// A joinable POSIX thread running one closure.
public final class ThreadHandle: Sendable {
    private final class Box {
        let body: () -> Void
        init(_ body: @escaping () -> Void) { self.body = body }
    }

    private let thread: pthread_t

    /// Starts a thread named `name` (truncated to 15 bytes, the kernel's limit) running `body`.
    public init(name: String, body: @escaping () -> Void) throws(SystemError) {
        let threadName = String(decoding: name.utf8.prefix(15), as: UTF8.self)
        let box = Unmanaged.passRetained(Box {
            _ = CLockstep_setCurrentThreadName(threadName)
            body()
        }).toOpaque()
        var created = pthread_t()
        let result = pthread_create(&created, nil, { argument in
            guard let argument else { return nil }
            let box = Unmanaged<Box>.fromOpaque(argument).takeRetainedValue()
            box.body()
            return nil
        }, box)
        guard result == 0 else {
            Unmanaged<Box>.fromOpaque(box).release()
            throw SystemError("pthread_create", errno: result)
        }
        thread = created
    }

    /// Waits for the thread to finish.
    public func join() {
        pthread_join(thread, nil)
    }

    /// Whether the calling thread is this thread.
    public var isCurrent: Bool { pthread_equal(pthread_self(), thread) != 0 }
}
