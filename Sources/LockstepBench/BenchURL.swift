/// A `ws://` or `http://` URL reduced to what the bench needs: a numeric host, a port and a path.
public struct BenchURL: Sendable, Equatable, CustomStringConvertible {
    /// `ws` or `http`.
    public var scheme: String
    /// The host, as given (an IPv4 address such as `127.0.0.1`).
    public var host: String
    /// The port (the scheme's default when the URL names none).
    public var port: Int
    /// The path, `/` when empty.
    public var path: String

    /// Parses `text`; `nil` when it is not `ws://HOST[:PORT][/PATH]` or `http://HOST[:PORT][/PATH]`.
    public init?(_ text: String) {
        guard let schemeEnd = text.range(of: "://") else { return nil }
        scheme = String(text[..<schemeEnd.lowerBound]).lowercased()
        guard scheme == "ws" || scheme == "http" else { return nil }
        let rest = text[schemeEnd.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" }
        path = rest.count > authority.count ? String(rest.dropFirst(authority.count)) : "/"
        if let colon = authority.lastIndex(of: ":") {
            host = String(authority[..<colon])
            guard let port = Int(authority[authority.index(after: colon)...]), (1...65535).contains(port) else {
                return nil
            }
            self.port = port
        } else {
            host = String(authority)
            port = 80
        }
        if host.isEmpty { return nil }
    }

    /// The URL as text.
    public var description: String { "\(scheme)://\(host):\(port)\(path)" }
}
