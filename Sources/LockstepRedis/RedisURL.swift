/// Where the cluster's Redis is: `redis://HOST:PORT[/DB]` (port 6379 and database 0 when absent).
public struct RedisURL: Equatable, Sendable, CustomStringConvertible {
    public var host: String
    public var port: Int
    /// The database number selected after connecting (`SELECT`).
    public var database: Int

    /// Why a text is not a Redis URL.
    public struct Invalid: Error, Equatable, CustomStringConvertible {
        public var text: String
        public var description: String { "'\(text)' is not a Redis URL like redis://HOST:PORT[/DB]" }
    }

    public init(host: String, port: Int = 6379, database: Int = 0) {
        self.host = host
        self.port = port
        self.database = database
    }

    /// Parses `redis://HOST[:PORT][/DB]`. User names, passwords and `rediss://` (TLS) are refused.
    public init(parsing text: String) throws(Invalid) {
        guard text.hasPrefix("redis://") else { throw Invalid(text: text) }
        let rest = text.dropFirst("redis://".count)
        let authority = rest.prefix { $0 != "/" }
        guard !authority.contains("@"), !authority.isEmpty else { throw Invalid(text: text) }
        let path = rest.dropFirst(authority.count)
        if let colon = authority.lastIndex(of: ":") {
            guard let port = Int(authority[authority.index(after: colon)...]), (1...65535).contains(port) else {
                throw Invalid(text: text)
            }
            host = String(authority[..<colon])
            self.port = port
        } else {
            host = String(authority)
            port = 6379
        }
        guard !host.isEmpty else { throw Invalid(text: text) }
        if path.isEmpty || path == "/" {
            database = 0
        } else {
            guard let number = Int(path.dropFirst()), (0...65535).contains(number) else { throw Invalid(text: text) }
            database = number
        }
    }

    public var description: String { "redis://\(host):\(port)/\(database)" }
}
