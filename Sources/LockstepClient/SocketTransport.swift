import Foundation
import LockstepProtocol
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The portable `ClientTransport`: one connection on a plain non-blocking socket, driven by its
/// own thread blocked in `poll(2)` (Linux and Apple platforms alike: no epoll, no event loop).
/// A game client has one connection; this is all it needs.
///
/// Calls from any thread queue a command and wake the thread through a self-pipe; what arrives
/// waits in an inbox for `take(upTo:)`. The thread starts with the first `open()` and ends with
/// `close()`. (Simulated network conditions are the event-loop transport's.)
///
/// `Sendable` as checked by the compiler: the connection and the redirect target are local to the
/// transport's own thread (the poll loop); everything callers share with it is in `shared`,
/// behind a `Mutex`.
public final class SocketTransport: ClientTransport, Sendable {
    private enum Command {
        case open(hello: [UInt8])
        case redirect(PlayURL)
        case send([UInt8])
        case drop
        case close
    }

    private struct Shared {
        var commands: [Command] = []
        var inbox: [TransportEvent] = []
        var wakeAt: UInt64?
        var handler: (@Sendable () -> Void)?
        var threadStarted = false
        var closed = false
        var pacer: InputPacer?
    }

    public let configuration: ClientConfiguration
    private let shared = Mutex(Shared())
    private let wakePipe: (read: Int32, write: Int32)?

    /// A transport for `configuration`'s server (host, port, room).
    public init(configuration: ClientConfiguration) {
        self.configuration = configuration
        wakePipe = PlainSocket.makeWakePipe()
    }

    deinit {
        if let wakePipe {
            PlainSocket.closeDescriptor(wakePipe.read)
            PlainSocket.closeDescriptor(wakePipe.write)
        }
    }

    // MARK: ClientTransport (any thread)

    /// Queued before the `.open` that follows it, so that connection goes to `url`.
    public func redirect(to url: PlayURL) {
        shared.withLock { state in
            guard !state.closed else { return }
            state.commands.append(.redirect(url))
        }
    }

    public func open(hello: [UInt8]) {
        let startThread = shared.withLock { state -> Bool in
            guard !state.closed else { return false }
            state.commands.append(.open(hello: hello))
            defer { state.threadStarted = true }
            return !state.threadStarted
        }
        if startThread {
            guard wakePipe != nil else {
                deliver(.closed(code: 1006))
                return
            }
            let thread = Thread { [self] in run() }
            thread.name = "lockstep-client-socket"
            thread.start()
        } else {
            signal()
        }
    }

    public func send(_ message: [UInt8]) {
        enqueue(.send(message))
    }

    public func drop() {
        enqueue(.drop)
    }

    public func close() {
        enqueue(.close)
    }

    public func take(upTo now: UInt64) -> [TransportEvent] {
        shared.withLock { state in
            defer { state.inbox.removeAll(keepingCapacity: true) }
            return state.inbox
        }
    }

    /// Sends each input at its deadline from this transport's thread, from the latest input the
    /// game set, even while the game loop is not polling.
    public func pace(_ pacer: InputPacer) {
        shared.withLock { $0.pacer = pacer }
        pacer.setDeadlineHandler { [weak self] in self?.signal() }
        signal()
    }

    public func setWakeHandler(_ handler: (@Sendable () -> Void)?) {
        shared.withLock { $0.handler = handler }
    }

    public func wake(at instant: UInt64) {
        shared.withLock { $0.wakeAt = instant }
        signal()
    }

    private func enqueue(_ command: Command) {
        shared.withLock { state in
            guard !state.closed else { return }
            state.commands.append(command)
        }
        signal()
    }

    private func signal() {
        if let wakePipe { PlainSocket.signal(wakePipe.write) }
    }

    // MARK: The I/O thread

    private func run() {
        guard let wakePipe else { return }
        var fds: [pollfd] = []
        /// The open connection.
        var connection: SocketWebSocketConnection?
        /// Where a cluster redirected the client.
        var target: PlayURL?
        while true {
            let (commands, wakeAt, pacer) = shared.withLock { state in
                defer { state.commands.removeAll(keepingCapacity: true) }
                return (state.commands, state.wakeAt, state.pacer)
            }
            for command in commands {
                switch command {
                case .open(let hello):
                    guard connection == nil else { continue }
                    let room = target?.room ?? configuration.room
                    let path = ProtocolVersion.path + (room.map { "?room=\($0)" } ?? "")
                    connection = SocketWebSocketConnection(
                        host: target?.host ?? configuration.host, port: target?.port ?? configuration.port, path: path, subprotocols: [ProtocolVersion.subprotocol],
                        hello: hello, maxMessageSize: 1 << 20
                    ) { [self] event in deliver(event) }
                    if connection == nil { deliver(.closed(code: 1006)) }
                case .redirect(let url):
                    target = url
                case .send(let bytes):
                    connection?.send(bytes)
                case .drop:
                    connection?.abort()
                case .close:
                    connection?.close(code: .normalClosure, reason: "client closed")
                    connection = nil
                    shared.withLock {
                        $0.closed = true
                        $0.commands.removeAll()
                    }
                    return
                }
                if connection?.phase == .closed { connection = nil }
            }
            var now = ClientClock.now()
            // The inputs due now, whatever the game loop is doing (only on an open connection).
            var paceAt: UInt64?
            if let pacer, let open = connection, open.phase == .open, let due = pacer.nextDeadline() {
                if now >= due {
                    for message in pacer.takeDue(now: now) { open.send(message) }
                    if open.phase == .closed { connection = nil }
                    now = ClientClock.now()
                }
                paceAt = connection != nil ? pacer.nextDeadline() : nil
            }
            if let wakeAt, now >= wakeAt {
                let handler = shared.withLock { state -> (@Sendable () -> Void)? in
                    if state.wakeAt == wakeAt { state.wakeAt = nil }
                    return state.handler
                }
                handler?()
                continue
            }
            fds.removeAll(keepingCapacity: true)
            fds.append(pollfd(fd: wakePipe.read, events: Int16(truncatingIfNeeded: POLLIN), revents: 0))
            if let connection { fds.append(pollfd(fd: connection.fd, events: connection.wantedEvents, revents: 0)) }
            let until = [wakeAt, paceAt].compactMap { $0 }.min()
            let timeout = until.map { $0 <= now ? 0 : Int32(clamping: ($0 - now + 999_999) / 1_000_000) } ?? -1
            PlainSocket.wait(&fds, timeoutMillis: timeout)
            if fds[0].revents != 0 { PlainSocket.drain(wakePipe.read) }
            if let open = connection, fds.count > 1 {
                open.handle(revents: fds[1].revents)
                if open.phase == .closed { connection = nil }
            }
        }
    }

    private func deliver(_ event: TransportEvent) {
        let handler = shared.withLock { state in
            state.inbox.append(event)
            return state.handler
        }
        handler?()
    }
}
