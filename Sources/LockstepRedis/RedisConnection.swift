#if canImport(Glibc)
import Glibc
#endif

/// One blocking TCP connection to Redis, used by one thread only (the `RedisClient`'s worker):
/// every read and write is bounded by `timeoutMillis`, so a stalled server costs a timeout, never
/// a hang. Not `Sendable`: it belongs to the thread that opened it.
public final class RedisConnection {
    private var fd: Int32
    private var decoder = RESPDecoder()
    private var readBuffer = [UInt8](repeating: 0, count: 16 * 1024)
    /// Set when an I/O or protocol error made the connection unusable.
    public private(set) var isBroken = false

    /// Connects to `url` (within `timeoutMillis`), then selects its database.
    ///
    /// - Throws: `RedisError.connectFailed`.
    public init(url: RedisURL, timeoutMillis: Int) throws(RedisError) {
        var hints = addrinfo()
        hints.ai_family = AF_INET
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(url.host, String(url.port), &hints, &list) == 0, let first = list else {
            throw .connectFailed("cannot resolve \(url.host)")
        }
        defer { freeaddrinfo(list) }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { throw .connectFailed("socket: \(String(cString: strerror(errno)))") }
        if connect(fd, first.pointee.ai_addr, first.pointee.ai_addrlen) != 0 && errno != EINPROGRESS {
            let why = String(cString: strerror(errno))
            _ = Glibc.close(fd)
            throw .connectFailed("\(url.host):\(url.port): \(why)")
        }
        var entry = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        guard poll(&entry, 1, Int32(timeoutMillis)) == 1 else {
            _ = Glibc.close(fd)
            throw .connectFailed("\(url.host):\(url.port): timed out after \(timeoutMillis) ms")
        }
        var error: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
        guard error == 0 else {
            _ = Glibc.close(fd)
            throw .connectFailed("\(url.host):\(url.port): \(String(cString: strerror(error)))")
        }
        // Back to blocking with timeouts: this connection lives on its own thread.
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        var timeout = timeval(tv_sec: timeoutMillis / 1000, tv_usec: Int((timeoutMillis % 1000) * 1000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        self.fd = fd
        if url.database != 0 {
            let reply: RESPValue
            do {
                reply = try command(["SELECT", String(url.database)])
            } catch {
                close()
                throw .connectFailed("SELECT \(url.database): \(error)")
            }
            if let message = reply.errorMessage {
                close()
                throw .connectFailed("SELECT \(url.database): \(message)")
            }
        }
    }

    deinit { close() }

    /// Closes the socket (idempotent).
    public func close() {
        if fd >= 0 { _ = Glibc.close(fd) }
        fd = -1
        isBroken = true
    }

    /// Sends one command and reads its reply.
    public func command(_ arguments: [String]) throws(RedisError) -> RESPValue {
        try pipeline([arguments])[0]
    }

    /// Sends several commands in one write and reads their replies, in order.
    ///
    /// - Throws: `RedisError.io` or `.protocolViolation`; the connection is then broken.
    public func pipeline(_ commands: [[String]]) throws(RedisError) -> [RESPValue] {
        guard !isBroken, fd >= 0 else { throw .io("the connection is closed") }
        var bytes: [UInt8] = []
        for command in commands { RESPEncoder.appendCommand(command.map { Array($0.utf8) }, to: &bytes) }
        do {
            try write(bytes)
            var replies: [RESPValue] = []
            replies.reserveCapacity(commands.count)
            while replies.count < commands.count { replies.append(try read()) }
            return replies
        } catch {
            close()
            throw error
        }
    }

    /// Runs `script` with `EVALSHA`, loading it with `EVAL` when the server answers `NOSCRIPT`.
    public func eval(_ script: RedisScript, keys: [String], arguments: [String]) throws(RedisError) -> RESPValue {
        let tail = [String(keys.count)] + keys + arguments
        let reply = try command(["EVALSHA", script.sha1] + tail)
        if let message = reply.errorMessage, message.hasPrefix("NOSCRIPT") {
            return try command(["EVAL", script.source] + tail)
        }
        return reply
    }

    private func write(_ bytes: [UInt8]) throws(RedisError) {
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { throw .io(count < 0 && errno == EAGAIN ? "write timed out" : "write: \(String(cString: strerror(errno)))") }
            sent += count
        }
    }

    private func read() throws(RedisError) -> RESPValue {
        while true {
            do {
                if let value = try decoder.next() { return value }
            } catch {
                throw .protocolViolation(error.description)
            }
            let count = readBuffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count < 0 && errno == EINTR { continue }
            if count == 0 { throw .io("the server closed the connection") }
            guard count > 0 else {
                throw .io(errno == EAGAIN || errno == EWOULDBLOCK ? "read timed out" : "read: \(String(cString: strerror(errno)))")
            }
            decoder.append(readBuffer[0..<count])
        }
    }
}
