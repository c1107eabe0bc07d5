/// The few figures the soak reads from a `GET /metrics` answer (Prometheus text format 0.0.4):
/// room states, open connections, players and spectators, and the tick-timer lateness histogram.
struct ServerMetricsScrape: Equatable {
    /// Every sample line's value by its series (`name` or `name{labels}`, as written).
    private(set) var values: [String: Double] = [:]

    /// Parses `text`; lines that are comments or do not read as `series value` are skipped.
    init(_ text: String) {
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else {
                continue
            }
            values[String(line[..<space])] = value
        }
    }

    /// The sum of every series of family `name` (`name` itself and `name{…}`), `nil` when none.
    func sum(_ name: String) -> Double? {
        let labeled = name + "{"
        let matching = values.filter { $0.key == name || $0.key.hasPrefix(labeled) }
        return matching.isEmpty ? nil : matching.values.reduce(0, +)
    }

    /// A gauge or counter as an integer, `nil` when absent.
    func integer(_ series: String) -> Int? {
        values[series].flatMap { $0.isFinite ? Int($0) : nil }
    }

    /// The cumulative buckets of histogram `name` as (upper bound in seconds, count), by bound;
    /// `+Inf` is `Double.infinity`.
    func buckets(_ name: String) -> [(bound: Double, count: Double)] {
        let prefix = name + "_bucket{le=\""
        var out: [(Double, Double)] = []
        for (series, count) in values where series.hasPrefix(prefix) && series.hasSuffix("\"}") {
            let text = series.dropFirst(prefix.count).dropLast(2)
            guard let bound = text == "+Inf" ? Double.infinity : Double(text) else { continue }
            out.append((bound, count))
        }
        return out.sorted { $0.0 < $1.0 }
    }

    /// The `quantile` of histogram `name` over the interval from `earlier` to this scrape, as the
    /// upper bound (seconds) of the bucket that holds it; `nil` when nothing was observed or it
    /// lies beyond the last finite bound.
    func quantile(_ quantile: Double, of name: String, since earlier: ServerMetricsScrape?) -> Double? {
        let now = buckets(name)
        let before = Dictionary(earlier?.buckets(name) ?? [], uniquingKeysWith: { first, _ in first })
        let deltas = now.map { (bound: $0.bound, count: $0.count - (before[$0.bound] ?? 0)) }
        guard let total = deltas.last?.count, total > 0 else { return nil }
        let bucket = deltas.first { $0.count >= quantile * total }
        guard let bound = bucket?.bound, bound.isFinite else { return nil }
        return bound
    }
}
