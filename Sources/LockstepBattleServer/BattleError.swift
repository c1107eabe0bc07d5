/// A failed admin request, with the HTTP status it maps to.
enum BattleError: Error, Equatable, CustomStringConvertible {
    /// 400: the request body is not valid.
    case badRequest(String)
    /// 401: missing or wrong admin key.
    case unauthorized
    /// 403: this needs the admin key (public access is off on this server).
    case forbidden(String)
    /// 429: this address asked too often.
    case tooManyRequests(String)
    /// 413: too large to send (a replay over the connection's outbound cap).
    case tooLarge(String)
    /// 404: no such room.
    case notFound(String)
    /// 409: the request clashes with what exists (a room id whose replay is on disk).
    case conflict(String)
    /// 429: a limit (rooms) is reached.
    case limitReached(String)
    /// 503: the server cannot do it now (shutting down, disk).
    case unavailable(String)

    var status: Int {
        switch self {
        case .badRequest: 400
        case .unauthorized: 401
        case .forbidden: 403
        case .tooManyRequests: 429
        case .tooLarge: 413
        case .notFound: 404
        case .conflict: 409
        case .limitReached: 429
        case .unavailable: 503
        }
    }

    var description: String {
        switch self {
        case .badRequest(let why): "bad request: \(why)"
        case .unauthorized: "unauthorized: send Authorization: Bearer <admin key>"
        case .forbidden(let why): "forbidden: \(why)"
        case .tooManyRequests(let why): "too many requests: \(why)"
        case .tooLarge(let why): "too large: \(why)"
        case .notFound(let what): "not found: \(what)"
        case .conflict(let why): "conflict: \(why)"
        case .limitReached(let what): "limit reached: \(what)"
        case .unavailable(let why): "unavailable: \(why)"
        }
    }
}
