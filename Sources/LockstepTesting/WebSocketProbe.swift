import LockstepWebSocket

#if canImport(Glibc)
    import Glibc
#endif

/// A blocking WebSocket client for load and hostile-input tests: sends whole frames, reads the
/// server's frames one at a time (each read gives up after 10 s: a bound on a hung test, not a
/// speed check).
public final class WebSocketProbe {
    private let fd: Int32

    /// Connects to `ws://127.0.0.1:port/path` and completes the handshake.
    ///
    /// - Throws: `NeverReadingClients.Failure` when the server answers anything but 101.
    public init(port: Int, path: String = "/echo", subprotocol: String? = nil) throws {
        fd = try NeverReadingClients.handshake(port: port, path: path, subprotocol: subprotocol)
    }

    deinit { _ = close(fd) }

    /// Sends one masked frame; returns whether all of it was written.
    @discardableResult
    public func send(_ opcode: WebSocketOpcode, payload: [UInt8]) -> Bool {
        let frame = NeverReadingClients.maskedFrame(opcode, payload: payload)
        return frame.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } == frame.count
    }

    /// Sends `payload` as a binary message and returns the payload of the next frame (`nil`
    /// when the connection ends or the read times out).
    public func roundTrip(_ payload: [UInt8]) -> [UInt8]? {
        guard send(.binary, payload: payload) else { return nil }
        return readFrame()?.payload
    }

    /// The next frame the server sent (`nil` when the connection ended or the read timed out).
    public func readFrame() -> (opcode: WebSocketOpcode, payload: [UInt8])? {
        guard let header = read(2) else { return nil }
        var length = Int(header[1] & 0x7F)
        if length == 126 {
            guard let extended = read(2) else { return nil }
            length = Int(extended[0]) << 8 | Int(extended[1])
        } else if length == 127 {
            guard let extended = read(8) else { return nil }
            length = extended.reduce(0) { $0 << 8 | Int($1) }
        }
        guard let payload = read(length) else { return nil }
        return (WebSocketOpcode(rawValue: header[0] & 0x0F), payload)
    }

    /// Reads frames until a close frame and returns them all (the close frame last, if any).
    public func readUntilClose() -> [(opcode: WebSocketOpcode, payload: [UInt8])] {
        var frames: [(opcode: WebSocketOpcode, payload: [UInt8])] = []
        while let frame = readFrame() {
            frames.append(frame)
            if frame.opcode == .connectionClose { break }
        }
        return frames
    }

    private func read(_ count: Int) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: count)
        var got = 0
        while got < count {
            let result = bytes.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + got, count - got, 0) }
            guard result > 0 else { return nil }
            got += result
        }
        return bytes
    }
}
