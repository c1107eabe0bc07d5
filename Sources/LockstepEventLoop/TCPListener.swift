import CLockstepSystem

#if canImport(Glibc)
import Glibc
#endif

/// A listening socket on one loop that accepts connections and hands each accepted descriptor
/// to `onAccept`, which spreads them over the loops.
///
/// Confined to its loop's thread (hence `@unchecked Sendable`): `init`, `close()` and the loop's
/// callbacks check it in debug builds (`EventLoop.assertInEventLoop()`). When the process runs out of descriptors (`EMFILE`), accepting
/// pauses for 100 ms instead of spinning on the level-triggered readiness.
public final class TCPListener: EventLoopSelectable, @unchecked Sendable {
    /// The loop the listener accepts on.
    public let eventLoop: EventLoop
    /// The bound port.
    public let port: Int
    private let fd: Int32
    private var isOpen = true
    private let onAccept: (Int32, String) -> Void
    private let onError: (SystemError) -> Void

    /// Binds `host:port` and starts accepting on `eventLoop` (loop thread only).
    ///
    /// - Parameters:
    ///   - onAccept: receives each accepted non-blocking descriptor and the peer's address.
    ///   - onError: receives accept failures other than "try again" (they are logged, not fatal).
    public init(
        host: String, port: Int, eventLoop: EventLoop, onAccept: @escaping (Int32, String) -> Void,
        onError: @escaping (SystemError) -> Void
    ) throws(SystemError) {
        let (fd, bound) = try Socket.listen(host: host, port: port)
        self.fd = fd
        self.port = bound
        self.eventLoop = eventLoop
        self.onAccept = onAccept
        self.onError = onError
        eventLoop.assertInEventLoop()
        do throws(SystemError) {
            try eventLoop.register(fd: fd, interest: .read, self)
        } catch {
            SystemCall.close(fd)
            throw error
        }
    }

    public func handleEvents(_ events: UInt32) {
        eventLoop.assertInEventLoop()
        // Accept a bounded batch per wake-up so one busy listener cannot starve the loop.
        for _ in 0..<128 where isOpen {
            var storage = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let result: IOResult<Int32>
            do throws(SystemError) {
                result = try SystemCall.run("accept4") {
                    withUnsafeMutablePointer(to: &storage) {
                        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                            CLockstep_accept4(fd, $0, &length, Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue))
                        }
                    }
                }
            } catch {
                onError(error)
                if error.errno == EMFILE || error.errno == ENFILE || error.errno == ENOBUFS || error.errno == ENOMEM {
                    pause()
                }
                return
            }
            guard case .processed(let client) = result else { return }
            Socket.setNoDelay(client)
            onAccept(client, Socket.describe(storage).text)
        }
    }

    private func pause() {
        eventLoop.deregister(fd: fd)
        eventLoop.scheduleTimer(at: eventLoop.now + .milliseconds(100)) { [weak self] _ in
            guard let self, self.isOpen else { return }
            try? self.eventLoop.register(fd: self.fd, interest: .read, self)
        }
    }

    /// Stops accepting and closes the socket (loop thread only).
    public func close() {
        eventLoop.assertInEventLoop()
        guard isOpen else { return }
        isOpen = false
        eventLoop.deregister(fd: fd)
        SystemCall.close(fd)
    }

    public func eventLoopDidStop() {
        eventLoop.assertInEventLoop()
        close()
    }
}
