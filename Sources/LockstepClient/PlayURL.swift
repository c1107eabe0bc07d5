/// Where a room is played, from the `url` the admin API answers (`ws://HOST:PORT/v1/play?room=ID`).
public struct PlayURL: Equatable, Sendable {
    public var host: String
    public var port: Int
    /// The room named by the `room` query item, if any (the token names it anyway).
    public var room: String?

    /// Why a URL cannot be played.
    public struct Invalid: Error, Equatable, CustomStringConvertible {
        public var url: String
        /// A `wss://` URL: well formed, but this client has no TLS (docs/OPERATIONS.md, *Behind a
        /// TLS proxy*, says why and what to do instead).
        public var needsTLS = false

        public init(url: String, needsTLS: Bool = false) {
            self.url = url
            self.needsTLS = needsTLS
        }

        public var description: String {
            needsTLS
                ? "'\(url)': wss:// needs TLS, which this client does not have (the package has no TLS of its own, and on Linux "
                    + "the toolchain's URLSessionWebSocketTask needs a libcurl built with WebSocket support); connect with ws:// to the "
                    + "server on a private network, or to a proxy listener that forwards plain WebSocket (see docs/OPERATIONS.md, "
                    + "\"Behind a TLS proxy\")"
                : "'\(url)' is not a play URL like ws://HOST:PORT/v1/play?room=ID"
        }
    }

    public init(host: String, port: Int, room: String? = nil) {
        self.host = host
        self.port = port
        self.room = room
    }

    /// Parses `ws://HOST[:PORT][/PATH][?room=ID]` (port 80 when absent); refuses `wss://` (no TLS
    /// here: see `Invalid.needsTLS`).
    public init(parsing text: String) throws(Invalid) {
        guard !text.lowercased().hasPrefix("wss://") else { throw Invalid(url: text, needsTLS: true) }
        guard text.hasPrefix("ws://") else { throw Invalid(url: text) }
        let rest = text.dropFirst("ws://".count)
        let authority = rest.prefix { $0 != "/" && $0 != "?" }
        let query = rest.firstIndex(of: "?").map { rest[rest.index(after: $0)...] } ?? ""
        let hostPart: Substring
        if let colon = authority.lastIndex(of: ":") {
            hostPart = authority[..<colon]
            guard let port = Int(authority[authority.index(after: colon)...]), (1...65535).contains(port) else { throw Invalid(url: text) }
            self.port = port
        } else {
            hostPart = authority
            port = 80
        }
        guard !hostPart.isEmpty else { throw Invalid(url: text) }
        host = String(hostPart)
        room = query.split(separator: "&").first { $0.hasPrefix("room=") }.map { String($0.dropFirst("room=".count)) }
    }
}
