import LockstepCore
import LockstepEventLoop
import Synchronization

/// Takes the soak's samples: the server's RSS and descriptors from `/proc`, its `/metrics`, its CPU,
/// and the bots' tick latency since the last sample (each loop's figures are taken and restarted on
/// that loop). Used by the driving thread only.
struct SoakSampler {
    let server: BenchServer
    let group: EventLoopGroup
    let recorders: [LoopRecorder]
    let start: UInt64
    private var lastScrape: ServerMetricsScrape?
    private var lastCPU: (seconds: Double, at: UInt64)?

    init(server: BenchServer, group: EventLoopGroup, recorders: [LoopRecorder], start: UInt64) {
        self.server = server
        self.group = group
        self.recorders = recorders
        self.start = start
        if let pid = server.pid, let cpu = ProcessStats.cpuSeconds(of: pid) { lastCPU = (cpu, start) }
    }

    /// The sample due at `due` (monotonic ns), with the running `counts` (whose frame and error totals it adds to).
    mutating func sample(at due: UInt64, counts: inout SoakReport.Counts) -> SoakSample {
        var sample = SoakSample(seconds: (Double(due - start) / 1e9 * 10).rounded() / 10)
        let time = MonotonicInstant.now().nanoseconds
        if let pid = server.pid {
            sample.rssBytes = ProcessStats.residentBytes(of: pid)
            sample.openDescriptors = ProcessStats.openDescriptors(of: pid)
            if let cpu = ProcessStats.cpuSeconds(of: pid) {
                if let last = lastCPU, time > last.at {
                    sample.serverCPUPercent = (cpu - last.seconds) / (Double(time - last.at) / 1e9) * 100
                }
                lastCPU = (cpu, time)
            }
        }
        if let response = try? server.admin.request("GET", "/metrics"), response.status == 200 {
            let scrape = ServerMetricsScrape(String(decoding: response.body, as: UTF8.self))
            sample.roomsWaiting = scrape.integer("lockstep_rooms{state=\"waiting\"}")
            sample.roomsRunning = scrape.integer("lockstep_rooms{state=\"running\"}")
            sample.roomsEnded = scrape.integer("lockstep_rooms{state=\"ended\"}")
            sample.connectionsOpen = scrape.integer("lockstep_connections_open")
            sample.playersConnected = scrape.integer("lockstep_players_connected")
            sample.spectatorsConnected = scrape.integer("lockstep_spectators_connected")
            sample.serverTimerLatenessP99Micros = scrape.quantile(
                0.99, of: "lockstep_tick_lateness_seconds", since: lastScrape
            )
            .map { $0 * 1e6 }
            lastScrape = scrape
        }
        let interval = takeMeasurements()
        sample.frames = interval.framesReceived
        sample.errors = interval.errors
        if interval.lastErrorCode != 0 { sample.lastErrorCode = interval.lastErrorCode }
        if interval.latency.count > 0 {
            let latency = BenchResult.Percentiles(interval.latency)
            sample.tickLatencyP50Micros = latency.p50
            sample.tickLatencyP99Micros = latency.p99
        }
        counts.framesMeasured += interval.framesReceived
        counts.errors += interval.errors
        sample.matchesStarted = counts.matchesStarted
        sample.matchesEnded = counts.matchesEnded
        sample.reconnects = counts.reconnects
        sample.spectatorsJoined = counts.spectatorsJoined
        return sample
    }

    /// Every loop's measurements since the last call, merged; each loop starts afresh (on its own thread).
    private func takeMeasurements() -> LoopMeasurements {
        let copies = Mutex<[LoopMeasurements]>([])
        let copied = ConditionSignal()
        for (loop, recorder) in zip(group.loops, recorders) {
            loop.execute {
                let taken = recorder.measurements
                recorder.measurements = LoopMeasurements(seconds: 1)
                copies.withLock { $0.append(taken) }
                copied.signal()
            }
        }
        copied.wait(until: MonotonicInstant.now() + .seconds(10)) { copies.withLock { $0.count } >= recorders.count }
        var merged = LoopMeasurements(seconds: 1)
        for copy in copies.withLock({ $0 }) { merged.merge(copy) }
        return merged
    }
}
