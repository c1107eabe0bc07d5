/// Every error the server reports in an ERROR message. The raw value is the wire code.
///
/// A fatal error is followed by a WebSocket close with code `4000 + code` (see `closeCode`).
public enum ProtocolErrorCode: UInt16, Sendable, CaseIterable, CustomStringConvertible {
    case malformedMessage = 1
    case unknownMessageType = 2
    case unsupportedVersion = 3
    case notJoined = 4
    case alreadyJoined = 5
    case invalidToken = 10
    case tokenExpired = 11
    case wrongRoom = 12
    case roomNotFound = 13
    case roomFull = 14
    case roomEnded = 15
    /// The room is on another node of the cluster: the message is exactly its play URL
    /// (`ws://HOST:PORT/v1/play?room=ID`); connect there with the same token.
    case wrongNode = 16
    case wrongSlot = 20
    case tickTooFarAhead = 21
    case inputLate = 22
    case duplicateInput = 23
    case payloadTooLarge = 24
    case spectatorCannotSend = 25
    case rateLimited = 30
    case tooManyConnections = 31
    case idleTimeout = 32
    case serverShuttingDown = 33
    case replacedByNewConnection = 34
    case desyncDropped = 35
    case catchUpUnavailable = 36

    /// Whether the server closes the connection after reporting this error.
    public var isFatal: Bool {
        switch self {
        case .wrongSlot, .tickTooFarAhead, .inputLate, .duplicateInput, .payloadTooLarge, .spectatorCannotSend,
            .alreadyJoined:
            false
        default:
            true
        }
    }

    /// The WebSocket close code that follows a fatal error: 4000 + the error code.
    public var closeCode: UInt16 { 4000 + rawValue }

    public var description: String {
        switch self {
        case .malformedMessage: "malformed message"
        case .unknownMessageType: "unknown message type"
        case .unsupportedVersion: "unsupported protocol version"
        case .notJoined: "send HELLO first"
        case .alreadyJoined: "already joined"
        case .invalidToken: "invalid token"
        case .tokenExpired: "token expired"
        case .wrongRoom: "token is for another room"
        case .roomNotFound: "room not found"
        case .roomFull: "room full"
        case .roomEnded: "room has ended"
        case .wrongNode: "room is on another node"
        case .wrongSlot: "input for another slot"
        case .tickTooFarAhead: "tick beyond the lead window"
        case .inputLate: "input too late"
        case .duplicateInput: "duplicate input"
        case .payloadTooLarge: "payload too large"
        case .spectatorCannotSend: "spectators cannot send inputs"
        case .rateLimited: "message rate limit exceeded"
        case .tooManyConnections: "too many connections"
        case .idleTimeout: "idle timeout"
        case .serverShuttingDown: "server shutting down"
        case .replacedByNewConnection: "replaced by a newer connection for the same slot"
        case .desyncDropped: "dropped after a desync"
        case .catchUpUnavailable: "the frames since that tick are no longer available"
        }
    }
}

/// A protocol error: its code and a readable detail.
public struct ProtocolError: Error, Equatable, Sendable, CustomStringConvertible {
    public var code: ProtocolErrorCode
    public var detail: String

    public init(_ code: ProtocolErrorCode, _ detail: String = "") {
        self.code = code
        self.detail = detail
    }

    public var description: String { detail.isEmpty ? code.description : "\(code.description): \(detail)" }
}
