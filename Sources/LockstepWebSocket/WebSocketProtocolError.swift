/// A violation of RFC 6455 by the peer; each fails the connection with its close code.
public enum WebSocketProtocolError: Error, Sendable, Equatable {
    /// RSV1–3 set without a negotiated extension.
    case reservedBitsSet
    /// An opcode the RFC reserves.
    case unknownOpcode(UInt8)
    /// A control frame with FIN clear.
    case fragmentedControlFrame
    /// A control frame with more than 125 bytes of payload.
    case controlFrameTooLong
    /// A client frame without a mask (checked by servers).
    case unmaskedClientFrame
    /// A server frame with a mask (checked by clients).
    case maskedServerFrame
    /// A 64-bit payload length with its most significant bit set.
    case lengthMostSignificantBitSet
    /// A frame longer than the configured maximum.
    case frameTooLarge(limit: Int)
    /// A message longer than the configured maximum.
    case messageTooLarge(limit: Int)
    /// A continuation frame with no fragmented message to continue.
    case unexpectedContinuation
    /// A new data frame while a fragmented message is still open.
    case expectedContinuation
    /// Text or a close reason that is not valid UTF-8.
    case invalidUTF8
    /// A close frame with a one-byte payload or a code that may not be sent.
    case invalidClosePayload

    /// The close code to fail the connection with.
    public var closeCode: WebSocketCloseCode {
        switch self {
        case .frameTooLarge, .messageTooLarge: .messageTooBig
        case .invalidUTF8: .invalidFramePayloadData
        default: .protocolError
        }
    }

    /// A short stable name for the close reason, logs and metrics.
    public var reason: String {
        switch self {
        case .reservedBitsSet: "reserved bits set"
        case .unknownOpcode: "unknown opcode"
        case .fragmentedControlFrame: "fragmented control frame"
        case .controlFrameTooLong: "control frame too long"
        case .unmaskedClientFrame: "unmasked client frame"
        case .maskedServerFrame: "masked server frame"
        case .lengthMostSignificantBitSet: "invalid payload length"
        case .frameTooLarge: "frame too large"
        case .messageTooLarge: "message too large"
        case .unexpectedContinuation: "unexpected continuation"
        case .expectedContinuation: "expected continuation"
        case .invalidUTF8: "invalid utf-8"
        case .invalidClosePayload: "invalid close payload"
        }
    }
}
