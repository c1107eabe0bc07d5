#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The few POSIX socket calls the portable transport needs, the same on Linux (Glibc) and on Apple
/// platforms (Darwin): a non-blocking TCP connect, reads and writes that never raise SIGPIPE,
/// `poll(2)`, and a self-pipe to wake a thread blocked in `poll`.
enum PlainSocket {
    /// The outcome of one read.
    enum ReadResult {
        case bytes(Int)
        case wouldBlock
        case closed
    }

    /// `SOCK_STREAM` as `socket(2)` takes it.
    #if canImport(Glibc)
    static let streamType = Int32(SOCK_STREAM.rawValue)
    /// Flags for `send(2)` that keep a closed peer from raising SIGPIPE (Darwin uses SO_NOSIGPIPE).
    static let sendFlags = Int32(MSG_NOSIGNAL)
    #else
    static let streamType = SOCK_STREAM
    static let sendFlags: Int32 = 0
    #endif

    /// Starts a non-blocking TCP connect to `host:port`; the socket becomes writable once it is
    /// connected or has failed (see `connectError`). Returns `nil` when it fails at once.
    static func startConnect(host: String, port: Int) -> Int32? {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = streamType
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &list) == 0, let first = list else { return nil }
        defer { freeaddrinfo(list) }
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let info = entry {
            entry = info.pointee.ai_next
            let fd = socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
            guard fd >= 0 else { continue }
            setNonBlocking(fd)
            var one: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            #if canImport(Darwin)
            setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, socklen_t(MemoryLayout<Int32>.size))
            #endif
            if connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 || errno == EINPROGRESS { return fd }
            close(fd)
        }
        return nil
    }

    /// The pending error of a socket whose connect finished (0: connected).
    static func connectError(_ fd: Int32) -> Int32 {
        var error: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) == 0 else { return errno }
        return error
    }

    static func setNonBlocking(_ fd: Int32) {
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
    }

    /// Reads what is available into `buffer`.
    static func receive(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) -> ReadResult {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return .bytes(0) }
        while true {
            let count = recv(fd, base, buffer.count, 0)
            if count > 0 { return .bytes(count) }
            if count == 0 { return .closed }
            if errno == EINTR { continue }
            return errno == EAGAIN || errno == EWOULDBLOCK ? .wouldBlock : .closed
        }
    }

    /// Writes as much of `bytes` as the socket takes; returns the count, or `nil` on an error.
    static func transmit(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Int? {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return 0 }
        while true {
            let count = send(fd, base, bytes.count, sendFlags)
            if count >= 0 { return count }
            if errno == EINTR { continue }
            return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : nil
        }
    }

    /// A pipe whose read end wakes `poll`: both ends non-blocking.
    static func makeWakePipe() -> (read: Int32, write: Int32)? {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { return nil }
        setNonBlocking(fds[0])
        setNonBlocking(fds[1])
        return (fds[0], fds[1])
    }

    static func signal(_ fd: Int32) {
        var byte: UInt8 = 1
        _ = withUnsafeBytes(of: &byte) { write(fd, $0.baseAddress, 1) }
    }

    static func drain(_ fd: Int32) {
        var scratch = (UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        while withUnsafeMutableBytes(of: &scratch, { read(fd, $0.baseAddress, $0.count) }) > 0 {}
    }

    /// Waits for `fds` up to `timeoutMillis` (−1: no limit); EINTR counts as a wake-up.
    static func wait(_ fds: inout [pollfd], timeoutMillis: Int32) {
        _ = poll(&fds, nfds_t(fds.count), timeoutMillis)
    }

    static func closeDescriptor(_ fd: Int32) {
        _ = close(fd)
    }
}
