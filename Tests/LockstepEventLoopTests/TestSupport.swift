#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Synchronization
@testable import LockstepEventLoop

#if canImport(Glibc)
import Glibc
#endif

/// Collects values from loop threads; `wait` blocks the test until a condition holds, for at most
/// ten seconds (a bound on a hung test, never an assertion about speed).
final class Collector<Value: Sendable>: Sendable {
    private let values = Mutex<[Value]>([])
    private let signal = DispatchSemaphore(value: 0)

    func append(_ value: Value) {
        values.withLock { $0.append(value) }
        signal.signal()
    }

    var snapshot: [Value] { values.withLock { $0 } }

    /// Waits until `condition` holds on the collected values; returns whether it did.
    @discardableResult
    func wait(until condition: ([Value]) -> Bool) -> Bool {
        let deadline = DispatchTime.now() + .seconds(10)
        while !condition(snapshot) {
            if signal.wait(timeout: deadline) == .timedOut { return condition(snapshot) }
        }
        return true
    }
}

/// Polls `condition` every 100 µs until it holds, for at most ten seconds; returns whether it did.
func waitUntil(_ condition: () -> Bool) -> Bool {
    let deadline = MonotonicInstant.now().nanoseconds + 10_000_000_000
    while !condition() {
        if MonotonicInstant.now().nanoseconds >= deadline { return false }
        usleep(100)
    }
    return true
}

/// Runs `body` on `loop` and waits for its result.
func onLoop<Result: Sendable>(_ loop: EventLoop, _ body: @escaping @Sendable () -> Result) -> Result? {
    let collector = Collector<Result>()
    loop.execute { collector.append(body()) }
    collector.wait { !$0.isEmpty }
    return collector.snapshot.first
}

/// A delegate that records reads and closes, optionally echoing.
final class RecordingDelegate: TCPConnectionDelegate, @unchecked Sendable {
    let received = Collector<[UInt8]>()
    let closed = Collector<Bool>()
    let overflowed = Collector<Bool>()
    let writability = Collector<Bool>()
    let echo: Bool

    init(echo: Bool = false) { self.echo = echo }

    func connection(_ connection: TCPConnection, didRead bytes: UnsafeMutableRawBufferPointer) -> Int {
        received.append(Array(bytes))
        if echo { connection.write(UnsafeRawBufferPointer(bytes)) }
        return bytes.count
    }

    func connection(_ connection: TCPConnection, writabilityChanged isWritable: Bool) {
        writability.append(isWritable)
    }

    func connectionOutboundOverflow(_ connection: TCPConnection) {
        overflowed.append(true)
        connection.close()
    }

    func connectionDidClose(_ connection: TCPConnection, error: SystemError?) {
        closed.append(true)
    }
}

/// A listener on `loop` whose accepted connections get `delegate` and are collected.
final class TestServer: @unchecked Sendable {
    let loop: EventLoop
    let accepted = Collector<TCPConnection>()
    var listener: TCPListener?
    var port = 0

    init(loop: EventLoop, configuration: TCPConnectionConfiguration = TCPConnectionConfiguration(),
         delegate: @escaping @Sendable () -> TCPConnectionDelegate) {
        self.loop = loop
        let ready = Collector<Int>()
        loop.execute { [self] in
            listener = try? TCPListener(host: "127.0.0.1", port: 0, eventLoop: loop, onAccept: { [self] fd, address in
                let connection = TCPConnection(fd: fd, eventLoop: loop, remoteAddress: address, configuration: configuration)
                connection.delegate = delegate()
                try? connection.start()
                accepted.append(connection)
            }, onError: { _ in })
            ready.append(listener?.port ?? 0)
        }
        ready.wait { !$0.isEmpty }
        port = ready.snapshot.first ?? 0
    }
}

/// Connects a client connection on `loop` to `port`.
func connectClient(loop: EventLoop, port: Int, delegate: TCPConnectionDelegate,
                   configuration: TCPConnectionConfiguration = TCPConnectionConfiguration()) -> TCPConnection? {
    nonisolated(unsafe) let delegate = delegate
    return onLoop(loop) { () -> TCPConnection? in
        guard let fd = try? Socket.connect(host: "127.0.0.1", port: port) else { return nil }
        let connection = TCPConnection(fd: fd, eventLoop: loop, remoteAddress: "server", configuration: configuration)
        connection.delegate = delegate
        try? connection.start()
        return connection
    } ?? nil
}

/// A blocking loopback socket connected to `port` with small kernel buffers (`bufferBytes`
/// each way), so what a test leaves unread stays in the server's queues, not the kernel's.
func smallBufferedClient(port: Int, bufferBytes: Int32 = 16 * 1024) -> Int32? {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return nil }
    var size = bufferBytes
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, socklen_t(MemoryLayout<Int32>.size))
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = UInt16(port).bigEndian
    address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
    let length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, length) }
    }
    guard connected == 0 else {
        SystemCall.close(fd)
        return nil
    }
    return fd
}

/// Reads from the non-blocking `fd` until `count` bytes arrived or ten seconds passed (a bound on a
/// hung test, not a timing assertion); returns the bytes that arrived.
func bytesArriving(at fd: Int32, count: Int) -> [UInt8] {
    var buffer = [UInt8](repeating: 0, count: count)
    var received = 0
    _ = waitUntil {
        let result = buffer.withUnsafeMutableBytes {
            recv(fd, $0.baseAddress! + received, count - received, Int32(MSG_DONTWAIT))
        }
        if result > 0 { received += result }
        return received >= count
    }
    return Array(buffer.prefix(received))
}

/// Closes the peer socket `fd` abortively (`SO_LINGER` 0: a reset), then waits until `connection`'s
/// socket shows the reset (on a busy host it can land a moment later, in softirq), so that its
/// next send is sure to fail.
func resetAbortively(_ fd: Int32, seenBy connection: TCPConnection) {
    var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
    _ = setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
    SystemCall.close(fd)
    var resetSeen = pollfd(fd: connection.fd, events: Int16(POLLIN), revents: 0)
    _ = waitUntil { poll(&resetSeen, 1, 0) == 1 && resetSeen.revents & Int16(POLLERR | POLLHUP) != 0 }
}

/// A seeded xorshift generator for the property tests here (this test target links no game code).
struct XorShift {
    var state: UInt64

    /// A value in `0..<bound`.
    mutating func next(_ bound: Int) -> Int {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return Int(state % UInt64(bound))
    }
}
