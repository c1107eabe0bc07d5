import LockstepCore
import Foundation
import Testing
@testable import LockstepBench

/// The JSON report keeps every field through a round trip, and its schema is the documented one.
@Suite struct BenchReportTests {
    static func sampleReport() -> BenchReport {
        var histogram = LatencyHistogram()
        for value in stride(from: UInt64(50_000), to: 2_000_000, by: 7_919) { histogram.record(value) }
        let percentiles = BenchResult.Percentiles(histogram)
        var run = BenchResult(
            rooms: 250, players: 4, spectators: 1, connections: 1250, connected: 1250, started: 1250, tickRate: 30,
            durationSeconds: 10, latency: percentiles,
            latencyCDF: histogram.cumulativeDistribution().map { [Double($0.value) / 1000, $0.fraction] },
            p99BySecond: [800, 900.5],
            clockOffsets: .init(connections: 1250, minRoundTripMicros: 30, maxBestRoundTripMicros: 90, minOffsetMicros: -12,
                                maxOffsetMicros: 14),
            jitter: percentiles,
            ticks: .init(framesReceived: 375_000, lateFrames: 3, missedTicks: 0, reanchors: 0),
            inputs: .init(sent: 300_000, behindSchedule: 3, slotsSeen: 300_000, filled: 1, late: 0, disconnected: 0),
            server: .init(pid: 42, cpuSeconds: 5.5, cpuPercent: 55, cpuPerConnectionTickMicros: 14.7, rssIdleBytes: 10_000_000,
                          rssBytes: 20_000_000, memoryPerConnectionBytes: 8000),
            generator: .init(loops: 1, cpuSeconds: 4, cpuPercent: 40, timerLateness: percentiles, fellBehind: false),
            bytesInPerSecond: 1e6, bytesOutPerSecond: 3e5, machineCPUPercent: 97, otherCPUPercent: 2, stealPercent: 0,
            errors: 0, closedEarly: 0, passed: true)
        run.readLatency = percentiles
        run.kernelTimestampedFraction = 1
        run.machineStalls = .init(
            cpus: 2, realtime: true, thresholdMicros: 500, stallsPerCPU: [4, 3], count: 2, totalMillis: 3.5, longestMillis: 2.25,
            longestBySecond: [2250, 1250], slowFrames: 900, framesDelayedByStalls: 120, slowFramesUnclassified: 0,
            latencyOutsideStalls: percentiles, framesDelayedByAnyCPUStall: 150, latencyOutsideAnyCPUStall: percentiles)
        return BenchReport(
            schema: BenchReport.currentSchema, createdAt: "2026-11-21T17:00:00Z", commandLine: "lockstep bench --rooms 250",
            machine: .current(), target: "child", serverLoops: 1, players: 4, spectators: 1, tickRate: 30, inputDelay: 2,
            rampSeconds: 1, warmupSeconds: 2, durationSeconds: 10, clockOffset: "ping", p99BudgetMicros: 2000,
            percentileRelativeError: LatencyHistogram().relativeErrorBound, runs: [run], maxRoomsWithinBudget: 250)
    }

    @Test func theJSONReportRoundTripsUnchanged() throws {
        let report = Self.sampleReport()
        let decoded = try BenchReport.decode(try report.json())
        #expect(decoded == report)
    }

    @Test func theJSONReportHasTheDocumentedTopLevelKeys() throws {
        let text = try Self.sampleReport().json()
        for key in [
            "schema", "createdAt", "commandLine", "machine", "target", "serverLoops", "players", "spectators", "tickRate",
            "inputDelay", "rampSeconds", "warmupSeconds", "durationSeconds", "p99BudgetMicros", "percentileRelativeError",
            "runs", "maxRoomsWithinBudget", "cpuPerConnectionTickMicros", "memoryPerConnectionBytes", "missedTicks",
            "p99BySecond", "latencyCDF", "otherCPUPercent", "fellBehind", "clockOffset", "clockOffsets", "readLatency",
            "kernelTimestampedFraction", "machineStalls", "latencyOutsideStalls", "framesDelayedByStalls",
            "latencyOutsideAnyCPUStall", "longestBySecond",
        ] {
            #expect(text.contains("\"\(key)\""), "missing \(key)")
        }
        #expect(text.contains("\"lockstep.bench/1\""))
    }

    @Test func theHTMLReportIsSelfContainedWithInlineSVGCharts() {
        var report = Self.sampleReport()
        report.runs.append(report.runs[0])
        report.runs[1].rooms = 500
        let html = BenchHTMLReport.render(report)
        #expect(html.contains("<svg"))
        #expect(html.components(separatedBy: "<svg").count - 1 == 5)
        #expect(html.contains("lockstep bench --rooms 250"))
        #expect(!html.contains("<script"))
        #expect(!html.contains("src=\"http"))
    }

    @Test func theTableNamesTheLargestRoomCountWithinBudget() {
        let table = BenchTable.render(Self.sampleReport())
        #expect(table.contains("largest room count within budget"))
        #expect(table.contains("250"))
    }
}

/// When `--retry-busy` runs a room count again: other processes' CPU, or machine pauses over a
/// share of the window; a quiet run is never disturbed.
@Suite struct BenchResultDisturbanceTests {
    static func run(otherCPU: Double?, stallMillis: Double?, seconds: Double = 5) -> BenchResult {
        var run = BenchReportTests.sampleReport().runs[0]
        run.otherCPUPercent = otherCPU
        run.durationSeconds = seconds
        run.machineStalls?.totalMillis = stallMillis ?? 0
        run.machineStalls?.count = stallMillis == nil ? 0 : 3
        if stallMillis == nil { run.machineStalls = nil }
        return run
    }

    @Test func aQuietRunIsNotDisturbed() {
        #expect(Self.run(otherCPU: 2, stallMillis: 3.5).disturbance == nil)
        #expect(Self.run(otherCPU: nil, stallMillis: nil).disturbance == nil)
    }

    @Test func otherProcessesOverATenthOfACoreDisturbARun() {
        #expect(Self.run(otherCPU: 10, stallMillis: 0).disturbance == nil)
        #expect(Self.run(otherCPU: 10.5, stallMillis: 0).disturbance == "other processes used 10 % of a core")
    }

    /// The pause threshold scales with the window: 25 ms of 5 s, 50 ms of 10 s.
    @Test(arguments: [(5.0, 24.9, false), (5.0, 25.0, true), (10.0, 49.0, false), (10.0, 50.0, true)])
    func machinePausesOverHalfAPercentOfTheWindowDisturbARun(seconds: Double, stallMillis: Double, disturbed: Bool) {
        let disturbance = Self.run(otherCPU: 0, stallMillis: stallMillis, seconds: seconds).disturbance
        #expect((disturbance != nil) == disturbed)
        if disturbed { #expect(disturbance == "the machine paused 3 times (\(Int(stallMillis.rounded())) ms in all)") }
    }
}
