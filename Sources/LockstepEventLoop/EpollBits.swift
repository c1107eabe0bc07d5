import CLockstepSystem

/// The epoll flags as `UInt32`, from the C shim.
enum EpollBits {
    static let read = CLockstep_EPOLLIN
    static let write = CLockstep_EPOLLOUT
    static let error = CLockstep_EPOLLERR
    static let hangup = CLockstep_EPOLLHUP
    static let readHangup = CLockstep_EPOLLRDHUP
}
