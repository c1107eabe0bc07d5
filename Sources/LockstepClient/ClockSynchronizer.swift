/// Estimates the offset between this client's clock and the server's from PING/PONG round trips.
///
/// Each sample is (round-trip time, offset = server time − midpoint of the round trip). Network
/// queues only ever add delay, so the samples with the smallest round trip are the most truthful:
/// the estimate is the median offset of the fastest quarter of the last `capacity` samples, and a
/// sample whose round trip is over `outlierFactor` × the median round trip (plus 0.1 ms) is
/// rejected as a passing queue. But when `regimeChange` samples in a row are outliers, the path
/// itself may have changed (another route, a congested link): the run is kept after all, and so
/// is every later run. Otherwise a lasting rise in latency would be rejected for ever, and the
/// input delay judged by the old, shorter round trip (it would shrink, go late, grow, and again).
/// Kept runs move the median round trip to the new path within `capacity / 2` samples, while the
/// offset still comes from the fastest samples in the window: a burst of slow answers on a loaded
/// host, where the reply may wait longer than the request, does not skew it.
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
    /// How many outliers in a row mean the network may have changed: the run is then kept.
    public let regimeChange: Int
    private var samples: [Sample] = []
    private var next = 0
    /// The outliers rejected since the last sample kept, oldest first (at most `regimeChange`).
    private var outliersInARow: [Sample] = []
    /// Samples rejected as outliers when they arrived (those of a run kept later included).
    public private(set) var rejected = 0
    /// Runs of `regimeChange` outliers kept because they were a run.
    public private(set) var keptRuns = 0

    /// A synchroniser keeping `capacity` samples (16: eight seconds of one PING every 500 ms),
    /// rejecting round trips over `outlierFactor` × the median, and keeping runs of
    /// `regimeChange` outliers (4: two seconds of a slower path, longer than a passing queue).
    public init(capacity: Int = 16, outlierFactor: UInt64 = 3, regimeChange: Int = 4) {
        self.capacity = max(1, capacity)
        self.outlierFactor = max(1, outlierFactor)
        self.regimeChange = max(1, regimeChange)
    }

    /// Adds the sample of a PING sent at `sentAt` and answered by `serverTime`, received at `receivedAt`
    /// (client times in ns). Returns whether it was kept (the outlier that completes a run of
    /// `regimeChange` is kept, and the run with it).
    @discardableResult
    public mutating func add(sentAt: UInt64, serverTime: UInt64, receivedAt: UInt64) -> Bool {
        guard receivedAt >= sentAt else { return false }
        let roundTrip = receivedAt - sentAt
        let midpoint = sentAt + roundTrip / 2
        let sample = Sample(roundTrip: roundTrip, offset: Int64(bitPattern: serverTime &- midpoint))
        if samples.count >= 4, let median = medianRoundTrip, roundTrip > median * outlierFactor + 100_000 {
            outliersInARow.append(sample)
            guard outliersInARow.count >= regimeChange else {
                rejected += 1
                return false
            }
            // Every recent sample is slow: not a passing queue. Keep the run.
            keptRuns += 1
            for kept in outliersInARow { keep(kept) }
            outliersInARow.removeAll(keepingCapacity: true)
            return true
        }
        outliersInARow.removeAll(keepingCapacity: true)
        keep(sample)
        return true
    }

    /// Puts `sample` in the window, in place of the oldest once it is full.
    private mutating func keep(_ sample: Sample) {
        if samples.count < capacity {
            samples.append(sample)
        } else {
            samples[next] = sample
            next = (next + 1) % capacity
        }
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
