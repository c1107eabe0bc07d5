/// Something registered with an event loop's epoll set: a socket, a listener.
///
/// All methods are called on the loop's thread.
public protocol EventLoopSelectable: AnyObject {
    /// The descriptor is ready: `events` holds the epoll bits (`EPOLLIN`, `EPOLLOUT`, `EPOLLHUP`, `EPOLLERR`).
    func handleEvents(_ events: UInt32)
    /// The loop is stopping with this registration still open: release the descriptor now.
    func eventLoopDidStop()
}

/// The epoll interest bits, named for readability.
public struct EventInterest: OptionSet, Sendable {
    /// The epoll bits.
    public var rawValue: UInt32
    /// Wraps epoll bits.
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// Readable (and hang-up, error, which epoll always reports).
    public static let read = EventInterest(rawValue: EpollBits.read)
    /// Writable.
    public static let write = EventInterest(rawValue: EpollBits.write)
}
