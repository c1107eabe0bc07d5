extension BenchResult {
    /// Other processes' CPU (percent of one core) above which a run was disturbed.
    public static let disturbingOtherCPUPercent = 10.0
    /// Share of the measured window the whole machine may spend paused (the stall witness's
    /// machine stalls) before a run counts as disturbed: 0.5 %, 25 ms of a 5-second run. Quiet
    /// runs here pause a few milliseconds at most; a host busy with other guests, hundreds.
    public static let disturbingStallShare = 0.005

    /// Why this run's latency and CPU figures say more about the machine than the server: other
    /// processes used CPU, or the machine paused for more than `disturbingStallShare` of the
    /// window. `nil` for an undisturbed run. `--retry-busy` runs a disturbed room count again.
    public var disturbance: String? {
        if let other = otherCPUPercent, other > Self.disturbingOtherCPUPercent {
            return "other processes used \(Int(other)) % of a core"
        }
        if let stalls = machineStalls, durationSeconds > 0,
            stalls.totalMillis >= durationSeconds * 1000 * Self.disturbingStallShare
        {
            return "the machine paused \(stalls.count) times (\(Int(stalls.totalMillis.rounded())) ms in all)"
        }
        return nil
    }
}
