/// Whether a browser page may use the quick-match, room-listing and replay endpoints without the
/// admin key (`lockstep serve --public-quickmatch`).
public enum PublicAccess: String, Sendable, CaseIterable {
    /// Always, capped and rate-limited per address.
    case on
    /// Never: those endpoints need the admin key.
    case off
    /// On when the server listens on a loopback address (127.0.0.0/8, `::1`, `localhost`): only
    /// this machine can reach it. Off otherwise.
    case auto

    /// Whether this setting allows public access on a server listening on `host`.
    public func allows(host: String) -> Bool {
        switch self {
        case .on: true
        case .off: false
        case .auto: Self.isLoopback(host)
        }
    }

    /// Whether `host` (an address to listen on) is a loopback address.
    public static func isLoopback(_ host: String) -> Bool {
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        return bare == "localhost" || bare == "::1" || bare.hasPrefix("127.")
    }
}
