import LockstepEventLoop
import LockstepWebSocket
import Synchronization
import Testing
@testable import LockstepServer

/// Moves every connection to one chosen loop as soon as it opens (as a room gathers its
/// players), then echoes, recording which loop each message was handled on.
final class GatheringHandler: WebSocketHandler, @unchecked Sendable {
    let target: EventLoop
    let handledOn = Mutex<[Int]>([])

    init(target: EventLoop) { self.target = target }

    func webSocketDidOpen(_ connection: WebSocketConnection) {
        connection.move(to: target) { _ in }
    }

    func webSocket(_ connection: WebSocketConnection, didReceive kind: WebSocketMessageKind, payload: UnsafeRawBufferPointer) {
        let index = target.inEventLoop ? connection.eventLoop.index : -1
        handledOn.withLock { $0.append(index) }
        connection.send(kind, payload: payload)
    }

    func webSocketDidClose(_ connection: WebSocketConnection, code: WebSocketCloseCode, reason: String) {}
}

@Suite struct WebSocketConnectionMoveTests {
    /// The upgrade request and three frames arrive in one segment, so frames are already buffered
    /// when the connection moves: they must be handled once each, in order, on the target loop.
    @Test func connectionsMovedOnOpenAreServedOnTheTargetLoop() throws {
        var configuration = ServerConfiguration()
        configuration.port = 0
        configuration.loopCount = 2
        let server = try Server(configuration: configuration, logger: Logger(level: .error))
        let holder = Mutex<GatheringHandler?>(nil)
        server.addWebSocketEndpoint("/room") { _, _ in
            holder.withLock { $0 }.map { .accept($0) } ?? .reject(.error(.serviceUnavailable))
        }
        try server.start()
        defer { server.shutdown() }
        let handler = GatheringHandler(target: server.eventLoops[1])
        holder.withLock { $0 = handler }
        for round in 0..<6 {
            let socket = try #require(RawSocket(port: server.port))
            var bytes = Array(("GET /room HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n").utf8)
            for index in 0..<3 {
                [UInt8(round), UInt8(index)].withUnsafeBytes {
                    WebSocketFrameEncoder.appendFrame(to: &bytes, opcode: .binary, payload: $0, maskingKey: WebSocketMaskingKey(word: 7))
                }
            }
            socket.send(bytes)
            #expect(socket.readHead().hasPrefix("HTTP/1.1 101"))
            for index in 0..<3 {
                #expect(socket.readFrame()?.payload == [UInt8(round), UInt8(index)])
            }
        }
        let handled = handler.handledOn.withLock { $0 }
        #expect(handled.count == 18)
        #expect(handled.allSatisfy { $0 == 1 })
    }
}
