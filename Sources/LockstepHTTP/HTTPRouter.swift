/// Maps a method and a path to a handler; paths are `/`-separated segments where `:name` matches any one segment.
public struct HTTPRouter<Handler> {
    /// What a lookup found.
    public enum Match {
        /// A route matched; `parameters` holds the values of its `:name` segments.
        case found(Handler, parameters: [String: String])
        /// No route has this path: answer 404.
        case notFound
        /// Routes have this path but not this method: answer 405 with `Allow`.
        case methodNotAllowed(allowed: [String])
    }

    private var routes: [(method: String, segments: [Substring], handler: Handler)] = []
    /// Answers every path no route has (any method), e.g. static files; `nil`: such paths are 404.
    public var fallback: Handler?

    /// Creates an empty router.
    public init() {}

    /// Adds a route for `method` and `path` (for example `GET /v1/rooms/:id`).
    public mutating func add(_ method: String, _ path: String, _ handler: Handler) {
        routes.append((method, path.split(separator: "/"), handler))
    }

    /// Finds the handler for `method` and `path` (without its query string).
    public func match(method: String, path: Substring) -> Match {
        let segments = path.split(separator: "/")
        var allowed: [String] = []
        for route in routes {
            guard let parameters = Self.bind(route.segments, to: segments) else { continue }
            if route.method == method { return .found(route.handler, parameters: parameters) }
            if !allowed.contains(route.method) { allowed.append(route.method) }
        }
        guard allowed.isEmpty else { return .methodNotAllowed(allowed: allowed) }
        if let fallback { return .found(fallback, parameters: [:]) }
        return .notFound
    }

    private static func bind(_ pattern: [Substring], to segments: [Substring]) -> [String: String]? {
        guard pattern.count == segments.count else { return nil }
        var parameters: [String: String] = [:]
        for (expected, actual) in zip(pattern, segments) {
            if expected.hasPrefix(":") {
                parameters[String(expected.dropFirst())] = String(actual)
            } else if expected != actual {
                return nil
            }
        }
        return parameters
    }
}

extension HTTPRouter: Sendable where Handler: Sendable {}
