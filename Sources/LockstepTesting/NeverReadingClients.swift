import LockstepEventLoop
import LockstepWebSocket

#if canImport(Glibc)
    import Glibc
#endif

/// WebSocket clients that send as fast as the server takes bytes and never read a byte: the
/// hostile load of the memory-bound tests (and of `tools/never-reading-clients.py`).
///
/// Each client completes its handshake (reading exactly the 101 answer), then `flood` writes
/// the same pre-masked frames to every socket until the server stops taking bytes from all of
/// them, each has sent its quota, or a deadline passes. Small socket buffers on the client side
/// keep the kernel from absorbing what the test means the server to hold.
public final class NeverReadingClients {
    /// Why a flood ended.
    public enum End: Equatable, Sendable {
        /// No socket took a byte for the quiet period: the server reads none of them.
        case stalled
        /// Every client sent its quota or was closed by the server.
        case finished
        /// `keepGoing` returned `false`.
        case stopped
        /// The deadline passed.
        case deadline
    }

    /// What a flood did.
    public struct Outcome: Sendable {
        /// Why it ended.
        public var end: End
        /// Bytes written by all clients together.
        public var bytesSent: Int
        /// Clients whose connection the server closed (a send failed or the socket hung up).
        public var closedByServer: Int
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    private var sockets: [Int32] = []

    /// Opens `count` connections to `ws://127.0.0.1:port/path` and completes their handshakes.
    ///
    /// - Throws: `Failure` when a connection or a handshake fails (the server answered no 101).
    public init(port: Int, path: String, subprotocol: String? = nil, count: Int) throws {
        raiseDescriptorLimit(to: count + 256)
        for _ in 0..<count {
            let fd = try Self.handshake(port: port, path: path, subprotocol: subprotocol)
            sockets.append(fd)
        }
    }

    deinit { closeAll() }

    /// The number of clients.
    public var count: Int { sockets.count }

    /// Writes `frame` over and over on every client (never reading) until every socket has
    /// been full for `quietMilliseconds`, each sent `quotaPerClient`, `keepGoing` says stop
    /// (it is called about every 100 ms, to sample the server), or `deadlineSeconds` pass.
    public func flood(
        frame: [UInt8], quotaPerClient: Int, quietMilliseconds: Int = 500, deadlineSeconds: Double = 30,
        keepGoing: () -> Bool = { true }
    ) -> Outcome {
        var batch: [UInt8] = []
        while batch.count < 64 * 1024 { batch += frame }
        var sent = [Int](repeating: 0, count: sockets.count)
        // Where each client is in `batch`: a partial send resumes mid-frame, keeping the stream whole.
        var offsets = [Int](repeating: 0, count: sockets.count)
        var live = [Bool](repeating: true, count: sockets.count)
        var closed = 0
        let start = MonotonicInstant.now().nanoseconds
        let deadline = start + UInt64(deadlineSeconds * 1e9)
        var lastProgress = start
        var lastSample = start
        while true {
            let now = MonotonicInstant.now().nanoseconds
            if now >= deadline { return Outcome(end: .deadline, bytesSent: sent.reduce(0, +), closedByServer: closed) }
            if now - lastSample >= 100_000_000 {
                lastSample = now
                if !keepGoing() { return Outcome(end: .stopped, bytesSent: sent.reduce(0, +), closedByServer: closed) }
            }
            if now - lastProgress >= UInt64(quietMilliseconds) * 1_000_000 {
                return Outcome(end: .stalled, bytesSent: sent.reduce(0, +), closedByServer: closed)
            }
            var polled: [pollfd] = []
            var indices: [Int] = []
            for index in sockets.indices where live[index] && sent[index] < quotaPerClient {
                polled.append(pollfd(fd: sockets[index], events: Int16(POLLOUT), revents: 0))
                indices.append(index)
            }
            if polled.isEmpty { return Outcome(end: .finished, bytesSent: sent.reduce(0, +), closedByServer: closed) }
            guard poll(&polled, nfds_t(polled.count), 100) > 0 else { continue }
            for (position, entry) in polled.enumerated() where entry.revents != 0 {
                let index = indices[position]
                if entry.revents & Int16(POLLERR | POLLHUP) != 0 {
                    live[index] = false
                    closed += 1
                    continue
                }
                let wanted = min(batch.count - offsets[index], quotaPerClient - sent[index])
                let written = batch.withUnsafeBytes {
                    send(sockets[index], $0.baseAddress! + offsets[index], wanted, Int32(MSG_DONTWAIT | MSG_NOSIGNAL))
                }
                if written > 0 {
                    sent[index] += written
                    offsets[index] = (offsets[index] + written) % batch.count
                    lastProgress = MonotonicInstant.now().nanoseconds
                } else if written < 0, errno != EAGAIN, errno != EWOULDBLOCK, errno != EINTR {
                    live[index] = false
                    closed += 1
                }
            }
        }
    }

    /// Closes every client.
    public func closeAll() {
        for fd in sockets { _ = close(fd) }
        sockets.removeAll()
    }

    /// A masked client frame (`opcode`, `payload`), as a client sends it.
    public static func maskedFrame(_ opcode: WebSocketOpcode, payload: [UInt8]) -> [UInt8] {
        var frame: [UInt8] = []
        payload.withUnsafeBytes {
            WebSocketFrameEncoder.appendFrame(
                to: &frame, fin: true, opcode: opcode, payload: $0, maskingKey: WebSocketMaskingKey(word: 0x5A5A_1234))
        }
        return frame
    }

    /// A blocking socket connected to `path` whose handshake succeeded (reads time out after
    /// 10 s), with 16 KiB socket buffers.
    static func handshake(port: Int, path: String, subprotocol: String?) throws -> Int32 {
        try LoopbackWebSocket.handshake(port: port, path: path, subprotocol: subprotocol) { fd in
            var small: Int32 = 16 * 1024
            setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &small, socklen_t(MemoryLayout<Int32>.size))
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, socklen_t(MemoryLayout<Int32>.size))
        }
    }
}

/// The resident memory of process `pid` in bytes (from `/proc/PID/statm`), or 0 when unknown.
public func residentBytes(of pid: pid_t) -> Int {
    let fd = open("/proc/\(pid)/statm", O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return 0 }
    defer { _ = close(fd) }
    var buffer = [UInt8](repeating: 0, count: 256)
    let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
    guard count > 0 else { return 0 }
    let fields = buffer[0..<count].split(separator: UInt8(ascii: " "))
    guard fields.count > 1, let pages = Int(String(decoding: fields[1], as: UTF8.self)) else { return 0 }
    return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
}

/// Raises this process's soft descriptor limit to at least `wanted` (up to the hard limit).
public func raiseDescriptorLimit(to wanted: Int) {
    var limit = rlimit()
    guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < rlim_t(wanted) else { return }
    limit.rlim_cur = min(limit.rlim_max, rlim_t(wanted))
    _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
}
