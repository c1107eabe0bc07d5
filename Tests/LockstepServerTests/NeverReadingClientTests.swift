import LockstepEventLoop
import LockstepWebSocket
import Testing

@testable import LockstepServer

#if canImport(Glibc)
    import Glibc
#endif

/// A WebSocket peer that sends and never reads stops being read (backpressure), yet the server
/// still ends it at the idle timeout: a paused connection is not a leaked one.
@Suite struct NeverReadingClientTests {
    @Test func aPeerThatNeverReadsIsNotReadAndIsStillClosedAtTheIdleTimeout() throws {
        let server = try startEchoServer {
            $0.idleTimeout = .milliseconds(400)
            $0.pingInterval = .milliseconds(100)
        }
        defer { server.shutdown() }
        let client = try #require(RawSocket(port: server.port))
        #expect(client.upgrade())
        var frame: [UInt8] = []
        let payload = [UInt8](repeating: 1, count: 8192)
        payload.withUnsafeBytes {
            WebSocketFrameEncoder.appendFrame(
                to: &frame, fin: true, opcode: .binary, payload: $0, maskingKey: WebSocketMaskingKey(word: 7))
        }
        // Send until the server stops taking bytes (it stopped reading us), at most 256 MiB.
        var sent = 0
        var offset = 0
        var lastProgress = MonotonicInstant.now()
        while sent < 256 << 20, MonotonicInstant.now() < lastProgress + .milliseconds(300) {
            let written = frame.withUnsafeBytes {
                send(client.fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_DONTWAIT | MSG_NOSIGNAL))
            }
            if written > 0 {
                sent += written
                offset = (offset + written) % frame.count
                lastProgress = MonotonicInstant.now()
            }
        }
        #expect(sent < 256 << 20)
        let bytesIn = server.metrics.map { $0.sum(\.bytesIn) } ?? 0
        #expect(bytesIn < UInt64(sent))
        // Reading now drains the echoes, then the idle close (1001) and the end of the connection.
        #expect(client.readCloseCode() == 1001)
        // The server reads again: finish the frame the flood left half-sent, then answer the close.
        client.send(Array(frame[offset...]))
        client.sendFrame(opcode: .connectionClose, payload: [0x03, 0xE9])
        #expect(waitUntil { server.metrics?.connectionsOpen == 0 })
    }
}
