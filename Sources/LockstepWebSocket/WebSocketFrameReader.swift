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
        guard header.frameLength <= available.count else { return .needMoreBytes(frameLength: header.frameLength) }
        let payload = UnsafeMutableRawBufferPointer(rebasing: available[header.headerLength..<header.frameLength])
        header.maskingKey?.apply(to: payload)
        offset += header.frameLength
        let readOnly = UnsafeRawBufferPointer(payload)
        return .action(session.receive(header, payload: readOnly), payload: readOnly)
    }
}
