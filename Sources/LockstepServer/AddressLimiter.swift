import Synchronization

/// Counts open connections per peer IP address, across loops: connections are admitted on the
/// accept loop and released on whichever loop they close. A mutex, but only per connection
/// open and close, never per message.
final class AddressLimiter: Sendable {
    /// The most connections one address may hold open.
    let limit: Int
    private let counts = Mutex<[String: Int]>([:])

    init(limit: Int) {
        self.limit = limit
    }

    /// Counts one more connection from `address` unless it is at the limit.
    func admit(_ address: String) -> Bool {
        let host = Self.host(of: address)
        return counts.withLock { counts in
            let current = counts[host, default: 0]
            guard current < limit else { return false }
            counts[host] = current + 1
            return true
        }
    }

    /// Counts one connection from `address` as closed.
    func release(_ address: String) {
        let host = Self.host(of: address)
        counts.withLock { counts in
            guard let current = counts[host] else { return }
            counts[host] = current > 1 ? current - 1 : nil
        }
    }

    /// The IP part of `host:port` or `[v6]:port`.
    static func host(of address: String) -> String {
        guard let colon = address.lastIndex(of: ":") else { return address }
        var host = address[..<colon]
        if host.hasPrefix("["), host.hasSuffix("]") { host = host.dropFirst().dropLast() }
        return String(host)
    }
}
