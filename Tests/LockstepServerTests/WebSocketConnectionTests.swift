import LockstepWebSocket
import Testing
@testable import LockstepServer

/// The WebSocket phase against hostile peers: each violation gets its close code, and a
/// well-behaved client on the same server keeps working.
@Suite struct WebSocketConnectionTests {
    private func expectEchoStillWorks(port: Int) throws {
        let good = try #require(RawSocket(port: port))
        #expect(good.upgrade())
        good.sendFrame(opcode: .text, payload: Array("still here".utf8))
        let frame = good.readFrame()
        #expect(frame?.opcode == .text)
        #expect(frame?.payload == Array("still here".utf8))
    }

    private func closeCode(after frames: (RawSocket) -> Void, port: Int) throws -> UInt16? {
        let socket = try #require(RawSocket(port: port))
        #expect(socket.upgrade())
        frames(socket)
        return socket.readCloseCode()
    }

    @Test func echoesTextAndBinaryAndAnswersPings() throws {
        let server = try startEchoServer()
        defer { server.shutdown() }
        let socket = try #require(RawSocket(port: server.port))
        #expect(socket.upgrade())
        socket.sendFrame(opcode: .binary, payload: [0, 1, 2, 255])
        #expect(socket.readFrame()?.payload == [0, 1, 2, 255])
        socket.sendFrame(opcode: .ping, payload: Array("p".utf8))
        let pong = socket.readFrame()
        #expect(pong?.opcode == .pong && pong?.payload == Array("p".utf8))
        socket.sendFrame(fin: false, opcode: .text, payload: Array("frag".utf8))
        socket.sendFrame(opcode: .continuation, payload: Array("ment".utf8))
        #expect(socket.readFrame()?.payload == Array("fragment".utf8))
        socket.sendFrame(opcode: .connectionClose, payload: [0x03, 0xE8])
        #expect(socket.readCloseCode() == 1000)
    }

    @Test func unmaskedClientFrameIsClosedWith1002() throws {
        let server = try startEchoServer()
        defer { server.shutdown() }
        let code = try closeCode(after: { $0.send([0x81, 0x02, 0x68, 0x69]) }, port: server.port)
        #expect(code == 1002)
        try expectEchoStillWorks(port: server.port)
    }

    /// Regression: a 64-bit length of 2^63 would trap in `Int(...)`; it must be a 1002 instead.
    @Test func lengthOfTwoToTheSixtyThirdIsClosedWith1002() throws {
        let server = try startEchoServer()
        defer { server.shutdown() }
        let code = try closeCode(after: { $0.send([0x82, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4]) }, port: server.port)
        #expect(code == 1002)
        try expectEchoStillWorks(port: server.port)
    }

    @Test func controlFrameOver125BytesIsClosedWith1002() throws {
        let server = try startEchoServer()
        defer { server.shutdown() }
        let code = try closeCode(after: { $0.send([0x89, 0xFE, 0x00, 0x7E, 1, 2, 3, 4] + [UInt8](repeating: 0, count: 126)) }, port: server.port)
        #expect(code == 1002)
        try expectEchoStillWorks(port: server.port)
    }

    @Test func invalidCloseCodeIsClosedWith1002() throws {
        let server = try startEchoServer()
        defer { server.shutdown() }
        let code = try closeCode(after: { $0.sendFrame(opcode: .connectionClose, payload: [0x03, 0xEC]) }, port: server.port)
        #expect(code == 1002)
        try expectEchoStillWorks(port: server.port)
    }

    @Test func invalidUTF8SplitAcrossFragmentsIsClosedWith1007() throws {
        let server = try startEchoServer()
        defer { server.shutdown() }
        let code = try closeCode(after: { socket in
            // "κ" then the first byte of another character followed by an impossible continuation.
            socket.sendFrame(fin: false, opcode: .text, payload: [0xCE, 0xBA, 0xCE])
            socket.sendFrame(fin: false, opcode: .continuation, payload: [0x20])
        }, port: server.port)
        #expect(code == 1007)
        try expectEchoStillWorks(port: server.port)
    }

    @Test func oversizedMessageIsClosedWith1009() throws {
        let server = try startEchoServer { $0.maxFrameSize = 1024; $0.maxMessageSize = 1024 }
        defer { server.shutdown() }
        let code = try closeCode(after: { $0.sendFrame(opcode: .binary, payload: [UInt8](repeating: 1, count: 2000)) }, port: server.port)
        #expect(code == 1009)
        try expectEchoStillWorks(port: server.port)
    }

    @Test func reservedBitsAndUnknownOpcodesAreClosedWith1002() throws {
        let server = try startEchoServer()
        defer { server.shutdown() }
        #expect(try closeCode(after: { $0.send([0xC1, 0x80, 0, 0, 0, 0]) }, port: server.port) == 1002)
        #expect(try closeCode(after: { $0.send([0x83, 0x80, 0, 0, 0, 0]) }, port: server.port) == 1002)
    }

    @Test func idleWebSocketIsPingedThenClosedWith1001() throws {
        let server = try startEchoServer { $0.pingInterval = .milliseconds(50); $0.idleTimeout = .milliseconds(200) }
        defer { server.shutdown() }
        let socket = try #require(RawSocket(port: server.port))
        #expect(socket.upgrade())
        #expect(socket.readFrame()?.opcode == .ping)
        #expect(socket.readCloseCode() == 1001)
    }
}
