/// The bands a soak must stay in after its warm-up (docs/BENCHMARKS.md "Soak" says why each is
/// what it is).
public struct SoakThresholds: Codable, Sendable, Equatable {
    /// RSS may reach the warm-up median × this…
    public var rssRatio = 1.2
    /// …plus this many bytes (8 MiB: glibc's arenas and the allocator's high-water marks move RSS
    /// by a few MiB on their own, whatever the load).
    public var rssSlackBytes: UInt64 = 8 << 20
    /// Open descriptors may move this share of the expected connections either side of the warm-up median…
    public var descriptorSlackShare = 0.1
    /// …but never less than this many (the admin scrape's socket, replay files of rooms being replaced).
    public var descriptorSlackMinimum = 32
    /// The median p99 of the last third may reach the first third's × this…
    public var p99DriftRatio = 1.5
    /// …plus this many microseconds (on a shared machine a neighbour's build moves a p99 by a
    /// hundred µs or so: the ratio alone would judge noise at low latencies).
    public var p99DriftSlackMicros = 200.0
    /// Whether a p99 drift fails the soak (`false`: it is reported only, as CI does on a shared
    /// machine, where a neighbour's build moves the tail by orders of magnitude; `--no-p99-verdict`).
    public var judgesP99Drift = true

    /// The default bands.
    public init() {}

    /// The descriptor slack for `expectedConnections`.
    public func descriptorSlack(expectedConnections: Int) -> Int {
        max(descriptorSlackMinimum, Int((Double(expectedConnections) * descriptorSlackShare).rounded(.up)))
    }
}
