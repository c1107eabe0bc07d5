/// Estimates the offset between this client's clock and the server's from PING/PONG round trips.
///
/// Each sample is (round-trip time, offset = server time − midpoint of the round trip). Network
/// queues only ever add delay, so the samples with the smallest round trip are the most truthful:
/// the estimate is the median offset of the fastest quarter of the last `capacity` samples, and a
/// sample whose round trip is over `outlierFactor` × the median round trip is rejected outright.
public struct ClockSynchronizer: Sendable {
    /// One measurement.
    public struct Sample: Equatable, Sendable {
        public var roundTrip: UInt64
        public var offset: Int64
    }

    /// How many recent samples are kept.
    public let capacity: Int
    /// Samples slower than this multiple of the median round trip are rejected.
    public let outlierFactor: UInt64
    private var samples: [Sample] = []
    private var next = 0
    /// Samples rejected as outliers.
    public private(set) var rejected = 0

    public init(capacity: Int = 16, outlierFactor: UInt64 = 3) {
        self.capacity = max(1, capacity)
        self.outlierFactor = max(1, outlierFactor)
    }

    /// Adds the sample of a PING sent at `sentAt` and answered by `serverTime`, received at `receivedAt`
    /// (client times in ns). Returns whether it was kept.
    @discardableResult
    public mutating func add(sentAt: UInt64, serverTime: UInt64, receivedAt: UInt64) -> Bool {
        guard receivedAt >= sentAt else { return false }
        let roundTrip = receivedAt - sentAt
        if samples.count >= 4, let median = medianRoundTrip, roundTrip > median * outlierFactor + 100_000 {
            rejected += 1
            return false
        }
        let midpoint = sentAt + roundTrip / 2
        let sample = Sample(roundTrip: roundTrip, offset: Int64(bitPattern: serverTime &- midpoint))
        if samples.count < capacity {
            samples.append(sample)
        } else {
            samples[next] = sample
            next = (next + 1) % capacity
        }
        return true
    }

    /// The number of samples kept.
    public var sampleCount: Int { samples.count }

    /// The median round trip of the kept samples (ns).
    public var medianRoundTrip: UInt64? {
        guard !samples.isEmpty else { return nil }
        return samples.map(\.roundTrip).sorted()[samples.count / 2]
    }

    /// The smallest round trip seen among the kept samples (ns).
    public var bestRoundTrip: UInt64? { samples.map(\.roundTrip).min() }

    /// The estimated server time minus client time (ns), or `nil` with no sample yet.
    public var offset: Int64? {
        guard !samples.isEmpty else { return nil }
        let fastest = samples.sorted { $0.roundTrip < $1.roundTrip }.prefix(max(1, samples.count / 4))
        let offsets = fastest.map(\.offset).sorted()
        return offsets[offsets.count / 2]
    }

    /// The server time at client time `clientTime`, using the estimate (0 offset before any sample).
    public func serverTime(at clientTime: UInt64) -> UInt64 {
        UInt64(bitPattern: Int64(bitPattern: clientTime) &+ (offset ?? 0))
    }
}
