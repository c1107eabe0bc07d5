#if canImport(Glibc)
import Glibc
#endif
import LockstepEventLoop
import LockstepWebSocket
import Synchronization
import Testing
@testable import LockstepServer
import LockstepWebSocketClient

/// Records a client's events for tests.
final class ClientRecorder: WebSocketClientDelegate, @unchecked Sendable {
    struct Received: Equatable { var kind: WebSocketMessageKind; var bytes: [UInt8] }
    let state = Mutex<(connected: Bool, messages: [Received], closeCode: UInt16?)>((false, [], nil))

    func webSocketClientDidConnect(_ client: WebSocketClient) {
        state.withLock { $0.connected = true }
    }

    func webSocketClient(_ client: WebSocketClient, didReceive kind: WebSocketMessageKind, payload: UnsafeRawBufferPointer) {
        state.withLock { $0.messages.append(Received(kind: kind, bytes: Array(payload))) }
    }

    func webSocketClientDidClose(_ client: WebSocketClient, code: WebSocketCloseCode, reason: String) {
        state.withLock { $0.closeCode = code.rawValue }
    }

    /// Polls (bounded to ten seconds) until `condition` holds.
    func wait(_ condition: ((connected: Bool, messages: [Received], closeCode: UInt16?)) -> Bool) -> Bool {
        for _ in 0..<2000 {
            if state.withLock({ condition($0) }) { return true }
            usleep(5000)
        }
        return false
    }
}

@Suite struct WebSocketClientTests {
    @Test func clientExchangesFragmentedAndLargeMessagesWithTheEchoServer() throws {
        let server = try startEchoServer { $0.maxFrameSize = 2 << 20; $0.maxMessageSize = 2 << 20; $0.connection.maxReadBufferSize = 3 << 20 }
        defer { server.shutdown() }
        let loops = try EventLoopGroup(count: 1)
        defer { loops.shutdown() }
        let loop = loops.loops[0]
        let recorder = ClientRecorder()
        let holder = Mutex<WebSocketClient?>(nil)
        let port = server.port
        loop.execute { holder.withLock { $0 = try? WebSocketClient(host: "127.0.0.1", port: port, path: "/echo", on: loop, delegate: recorder) } }
        #expect(recorder.wait { $0.connected })
        let big = (0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let text = Array(String(repeating: "κόσμε ", count: 1000).utf8)
        loop.execute {
            guard let client = holder.withLock({ $0 }) else { return }
            big.withUnsafeBytes { client.send(.binary, payload: $0) }
            text.withUnsafeBytes { client.send(.text, payload: $0, fragmentSize: 7) }
            [UInt8]().withUnsafeBytes { client.send(.binary, payload: $0) }
            [UInt8](repeating: 9, count: 3).withUnsafeBytes { client.sendPing(payload: $0) }
        }
        #expect(recorder.wait { $0.messages.count == 3 })
        let messages = recorder.state.withLock { $0.messages }
        #expect(messages.first == .init(kind: .binary, bytes: big))
        #expect(messages.dropFirst().first == .init(kind: .text, bytes: text))
        #expect(messages.last == .init(kind: .binary, bytes: []))
        loop.execute { holder.withLock { $0 }?.close(code: .normalClosure) }
        #expect(recorder.wait { $0.closeCode != nil })
        #expect(recorder.state.withLock { $0.closeCode } == 1000)
    }

    @Test func refusedConnectionReportsAbnormalClosure() throws {
        let loops = try EventLoopGroup(count: 1)
        defer { loops.shutdown() }
        let loop = loops.loops[0]
        let recorder = ClientRecorder()
        let (fd, port) = try Socket.listen(host: "127.0.0.1", port: 0)
        _ = close(fd)  // nothing listens on `port` any more
        let holder = Mutex<WebSocketClient?>(nil)
        loop.execute { holder.withLock { $0 = try? WebSocketClient(host: "127.0.0.1", port: port, path: "/echo", on: loop, delegate: recorder) } }
        #expect(recorder.wait { $0.closeCode != nil })
        #expect(recorder.state.withLock { $0.closeCode } == 1006)
    }
}
