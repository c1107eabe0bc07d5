import LockstepEventLoop
import LockstepWebSocket

extension SharedBuffer {
    /// A complete unmasked (server-to-client) frame holding `payload`, encoded once to be sent
    /// to any number of connections with `WebSocketConnection.send(encodedFrame:)`.
    public static func webSocketFrame(_ kind: WebSocketMessageKind, payload: UnsafeRawBufferPointer) -> SharedBuffer {
        let header = WebSocketFrameEncoder.header(opcode: kind.opcode, payloadLength: payload.count)
        return SharedBuffer(count: header.count + payload.count) { writeFrame(header, payload, into: $0) }
    }

    fileprivate static func writeFrame(
        _ header: WebSocketFrameEncoder.HeaderBytes, _ payload: UnsafeRawBufferPointer,
        into destination: UnsafeMutableRawBufferPointer
    ) {
        header.withUnsafeBytes { destination.copyMemory(from: $0) }
        if payload.count > 0 {
            UnsafeMutableRawBufferPointer(rebasing: destination[header.count...]).copyMemory(from: payload)
        }
    }
}

extension SharedBufferRecycler {
    /// `SharedBuffer.webSocketFrame(_:payload:)` in a recycled buffer (no allocation in steady state).
    public mutating func webSocketFrame(_ kind: WebSocketMessageKind, payload: UnsafeRawBufferPointer) -> SharedBuffer {
        let header = WebSocketFrameEncoder.header(opcode: kind.opcode, payloadLength: payload.count)
        return buffer(count: header.count + payload.count) { SharedBuffer.writeFrame(header, payload, into: $0) }
    }
}
