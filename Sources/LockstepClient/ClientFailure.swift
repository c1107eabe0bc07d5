/// Why a client stopped before its match ended: it will not connect again by itself.
public enum ClientFailure: Error, Equatable, Sendable, CustomStringConvertible {
    /// Every reconnect attempt the policy allows failed (the server is gone or unreachable).
    case gaveUp(attempts: Int, lastCloseCode: UInt16)
    /// The server closed the connection for good (a refusal, 4001…4099) before the match ended.
    case closed(code: UInt16)
    /// The room's simulation could not be built from the WELCOME (players, seed).
    case simulation(String)
    /// The room plays another game (or another version of it) than this client's simulation type:
    /// refused at the WELCOME, before any input, rather than desynchronised later.
    case simulationMismatch(room: String, roomVersion: UInt16, client: String, clientVersion: UInt16)

    public var description: String {
        switch self {
        case .gaveUp(let attempts, let code):
            "gave up after \(attempts) reconnect attempt\(attempts == 1 ? "" : "s") (last close \(code)): the server is gone or unreachable"
        case .closed(let code): "the server closed the connection (\(code)) before the match ended"
        case .simulation(let why): "cannot build the room's simulation: \(why)"
        case .simulationMismatch(let room, let roomVersion, let client, let clientVersion):
            "the room plays \(room) version \(roomVersion), this client simulates \(client) version \(clientVersion)"
        }
    }
}
