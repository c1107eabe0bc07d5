import Synchronization

/// A token bucket per peer IP address: `burst` requests at once, then `perMinute` a minute.
///
/// Across loops behind a mutex, taken once per limited request (room creation, never per
/// message). The table holds at most `maxAddresses` addresses; past it the least recently used
/// are forgotten (they come back with a full bucket: the limit is a brake, not an account).
/// Time comes from the caller (monotonic nanoseconds), so tests drive it.
public final class AddressRateLimiter: Sendable {
    private struct Bucket {
        /// Tokens, in units of 1/(60·10⁹) of a token per nanosecond·request-per-minute: whole
        /// integers, no rounding drift.
        var scaledTokens: Int64
        var last: UInt64
    }

    /// Requests an address may make at once.
    public let burst: Int
    /// Requests an address may make per minute, sustained.
    public let perMinute: Int
    /// The most addresses remembered.
    public let maxAddresses: Int
    private let buckets = Mutex<[String: Bucket]>([:])
    private static let scale: Int64 = 60_000_000_000

    /// A limiter of `perMinute` requests a minute with bursts of `burst` per address (both ≥ 1).
    public init(perMinute: Int, burst: Int, maxAddresses: Int = 10_000) {
        self.perMinute = max(1, perMinute)
        self.burst = max(1, burst)
        self.maxAddresses = max(1, maxAddresses)
    }

    /// Takes one token for `address` (`host:port`; the port is ignored) at monotonic time `now`
    /// (ns); `false` when its bucket is empty.
    public func admit(_ address: String, now: UInt64) -> Bool {
        let host = AddressLimiter.host(of: address)
        let capacity = Int64(burst) * Self.scale
        return buckets.withLock { table in
            var bucket = table[host] ?? Bucket(scaledTokens: capacity, last: now)
            // At most a day of refill at once: keeps the product far from overflow.
            let elapsed = Int64(min(now &- bucket.last, 86_400_000_000_000))
            if now > bucket.last {
                bucket.scaledTokens = min(capacity, bucket.scaledTokens + elapsed * Int64(perMinute))
                bucket.last = now
            }
            let admitted = bucket.scaledTokens >= Self.scale
            if admitted { bucket.scaledTokens -= Self.scale }
            if table[host] == nil && table.count >= maxAddresses {
                Self.forgetOldest(&table, keeping: maxAddresses / 2)
            }
            table[host] = bucket
            return admitted
        }
    }

    /// Keeps the `keeping` most recently used addresses (by last use, then address: no
    /// dictionary order involved).
    private static func forgetOldest(_ table: inout [String: Bucket], keeping: Int) {
        let recent = table.sorted { ($0.value.last, $0.key) > ($1.value.last, $1.key) }.prefix(keeping)
        table = Dictionary(uniqueKeysWithValues: recent.map { ($0.key, $0.value) })
    }
}
