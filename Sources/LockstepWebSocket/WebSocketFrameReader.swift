/// Reads frames from a connection's receive buffer: decodes the header, waits for the whole
/// frame, unmasks the payload in place and runs the session. Shared by server and client drivers.
public struct WebSocketFrameReader: Sendable {
    /// What one call to `readFrame` produced.
    public enum Step {
        /// No whole frame yet; `frameLength` is the full frame's size when its header is known
        /// (so the driver can make room for it).
        case needMoreBytes(frameLength: Int?)
        /// A frame was consumed; act on `action`. `payload` (the unmasked frame payload) lives in
        /// the caller's buffer and is valid until that buffer changes.
        case action(WebSocketSession.Action, payload: UnsafeRawBufferPointer)
    }

    /// The header decoder (role and frame limit).
    public var decoder: WebSocketFrameDecoder
    /// The protocol state.
    public var session: WebSocketSession
    /// Payload bytes of the incomplete frame at the front of the buffer already unmasked (and,
    /// for text, validated): text fails fast even inside one frame that arrives in pieces.
    private var partialProgress = 0

    /// Creates a reader for `role` with frame and message limits.
    public init(role: WebSocketRole, maxFrameSize: Int, maxMessageSize: Int) {
        decoder = WebSocketFrameDecoder(role: role, maxFrameSize: maxFrameSize)
        session = WebSocketSession(role: role, maxMessageSize: maxMessageSize)
    }

    /// Reads the frame at `bytes[offset...]`, advancing `offset` past it when it is complete.
    ///
    /// A header that breaks the protocol yields `.action(.failConnection(error))` and consumes
    /// everything: nothing after a violation is trusted.
    public mutating func readFrame(_ bytes: UnsafeMutableRawBufferPointer, offset: inout Int) -> Step {
        let available = UnsafeMutableRawBufferPointer(rebasing: bytes[offset...])
        let header: WebSocketFrameHeader
        do {
            guard let decoded = try decoder.decodeHeader(UnsafeRawBufferPointer(available)) else {
                return .needMoreBytes(frameLength: nil)
            }
            header = decoded
        } catch {
            session.markClosed()
            offset = bytes.count
            return .action(.failConnection(error), payload: UnsafeRawBufferPointer(start: nil, count: 0))
        }
        guard header.frameLength <= available.count else {
            return checkPartialFrame(header, available, offset: &offset, bytes: bytes)
        }
        let payload = UnsafeMutableRawBufferPointer(rebasing: available[header.headerLength..<header.frameLength])
        let alreadyUnmasked = partialProgress
        partialProgress = 0
        header.maskingKey?.apply(to: UnsafeMutableRawBufferPointer(rebasing: payload[alreadyUnmasked...]), offset: alreadyUnmasked)
        offset += header.frameLength
        let readOnly = UnsafeRawBufferPointer(payload)
        return .action(session.receive(header, payload: readOnly, validatedPrefix: alreadyUnmasked), payload: readOnly)
    }

    /// Unmasks and validates the newly arrived part of an incomplete text frame.
    private mutating func checkPartialFrame(
        _ header: WebSocketFrameHeader, _ available: UnsafeMutableRawBufferPointer, offset: inout Int,
        bytes: UnsafeMutableRawBufferPointer
    ) -> Step {
        let arrived = available.count - header.headerLength
        guard header.opcode == .text || header.opcode == .continuation, arrived > partialProgress else {
            return .needMoreBytes(frameLength: header.frameLength)
        }
        let start = header.headerLength + partialProgress
        let fresh = UnsafeMutableRawBufferPointer(rebasing: available[start..<header.headerLength + arrived])
        header.maskingKey?.apply(to: fresh, offset: partialProgress)
        guard session.validatePartialPayload(header, UnsafeRawBufferPointer(fresh)) else {
            partialProgress = 0
            session.markClosed()
            offset = bytes.count
            return .action(.failConnection(.invalidUTF8), payload: UnsafeRawBufferPointer(start: nil, count: 0))
        }
        partialProgress = arrived
        return .needMoreBytes(frameLength: header.frameLength)
    }
}
