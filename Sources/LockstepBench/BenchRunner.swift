import LockstepCore
import Foundation
import LockstepEventLoop
import Synchronization

#if canImport(Glibc)
import Glibc
import LockstepClient
import LockstepWebSocketClient
#endif

/// Runs `lockstep bench`: for each room count, a server (started here or given by URL), rooms
/// created through the admin API, bots on their own event loops, a warm-up, a measured window,
/// and the figures. Every phase has a time limit, so a run always ends.
public final class BenchRunner {
    /// A failure that ends the benchmark (the server did not start, rooms could not be created…).
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// What to run.
    public let options: BenchOptions
    private let progress: (String) -> Void

    /// A runner for `options`; `progress` receives a status line about once a second (ending in
    /// a carriage return) and a final line per run (ending in a newline).
    public init(options: BenchOptions, progress: @escaping (String) -> Void = { _ in }) {
        self.options = options
        self.progress = progress
    }

    /// Runs every room count and assembles the report.
    ///
    /// - Throws: `Failure` when a run cannot be set up at all (a run that sets up and then
    ///   misses its targets is a result, not an error).
    public func run(commandLine: String) throws -> BenchReport {
        var results: [BenchResult] = []
        for rooms in options.roomCounts {
            var result = try runOnce(rooms: rooms)
            var retries = 0
            while retries < options.busyRetries, let disturbance = result.disturbance {
                retries += 1
                progress(BenchTable.progressSummary(result) + "\n[\(rooms) rooms] \(disturbance): "
                    + "running again (\(retries)/\(options.busyRetries))\n")
                result = try runOnce(rooms: rooms)
            }
            results.append(result)
            progress(BenchTable.progressSummary(result) + "\n")
        }
        let formatter = ISO8601DateFormatter()
        var serverLoops: Int?
        var targetName = "external"
        if case .child(_, let loops) = options.target {
            serverLoops = loops
            targetName = "child"
        }
        return BenchReport(
            schema: BenchReport.currentSchema, createdAt: formatter.string(from: Date()), commandLine: commandLine,
            machine: .current(), target: targetName, serverLoops: serverLoops, players: options.players,
            spectators: options.spectators, tickRate: options.tickRate, inputDelay: options.inputDelay,
            rampSeconds: options.rampSeconds, warmupSeconds: options.warmupSeconds,
            durationSeconds: options.durationSeconds, clockOffset: options.measuresClockOffset ? "ping" : "none",
            p99BudgetMicros: options.p99BudgetMicros,
            percentileRelativeError: LatencyHistogram().relativeErrorBound, runs: results,
            maxRoomsWithinBudget: results.filter(\.passed).map(\.rooms).max())
    }

    // MARK: One run

    private func runOnce(rooms: Int) throws -> BenchResult {
        waitForQuietMachine(rooms: rooms)
        let hardDeadline = now() + nanoseconds(options.hardDeadlineSeconds)
        let server = try BenchServer(options: options, rooms: rooms)
        defer { server.stop() }
        let rssIdle = server.pid.flatMap(ProcessStats.residentBytes(of:))

        var created: [AdminClient.CreatedRoom] = []
        created.reserveCapacity(rooms)
        let maxDuration = Int(options.hardDeadlineSeconds.rounded(.up)) + 60
        for index in 0..<rooms {
            guard now() < hardDeadline else { throw Failure(description: "room creation ran past the deadline") }
            let settings: [String: Any] = [
                "players": options.players, "tickRate": options.tickRate, "inputDelay": options.inputDelay,
                "seed": Int(truncatingIfNeeded: options.seed &+ UInt64(index)), "maxDurationSeconds": maxDuration,
            ]
            do {
                created.append(try server.admin.createRoom(settings))
            } catch {
                throw Failure(description: "creating room \(index + 1) of \(rooms): \(error)")
            }
            if index % 50 == 0 { progress("[\(rooms) rooms] creating rooms \(index + 1)/\(rooms)\r") }
        }
        defer { server.endRooms(created) }

        let group: EventLoopGroup
        do {
            group = try EventLoopGroup(count: options.clientLoops)
        } catch {
            throw Failure(description: "cannot start the client loops: \(error)")
        }
        defer { group.shutdown() }
        let window = BenchWindow()
        let windowSeconds = Int(options.durationSeconds.rounded(.up))
        let recorders = group.loops.map { _ in LoopRecorder(seconds: windowSeconds) }
        startPacingTimers(group: group, recorders: recorders, window: window)

        // Connect the rooms, spread over the ramp.
        let connections = rooms * options.connectionsPerRoom
        let rampStart = now()
        for (index, room) in created.enumerated() {
            let due = rampStart + UInt64(options.rampSeconds * 1e9 * Double(index) / Double(rooms))
            while now() < due { usleep(UInt32(min(10_000, max(100, (due - now()) / 1000)))) }
            connect(room: room, index: index, loop: group.loops[index % group.loops.count],
                    recorder: recorders[index % group.loops.count], window: window, server: server)
            if index % 25 == 0 { progress(status(rooms, "connecting", recorders, connections)) }
        }

        // Wait until every bot has its room's schedule (or the start timeout).
        let startDeadline = min(hardDeadline, now() + nanoseconds(options.startTimeoutSeconds))
        while now() < startDeadline {
            let started = recorders.reduce(0) { $0 + $1.started.load }
            let closed = recorders.reduce(0) { $0 + $1.closed.load }
            if started + closed >= UInt64(connections) { break }
            progress(status(rooms, "starting", recorders, connections))
            usleep(100_000)
        }
        let startedCount = Int(recorders.reduce(0) { $0 + $1.started.load })

        // Warm up, then measure.
        sleep(until: now() + nanoseconds(options.warmupSeconds), rooms: rooms, phase: "warm-up", recorders, connections)
        // The witnesses start first, so the window's first milliseconds are watched too.
        let witness = options.watchesStalls ? StallWitness() : nil
        let wakeupsStart = serverWakeups(server)
        let windowStart = now()
        let windowEnd = windowStart + nanoseconds(options.durationSeconds)
        let serverCPUStart = server.pid.flatMap(ProcessStats.cpuSeconds(of:))
        let ownCPUStart = ProcessStats.ownCPUSeconds()
        let machineStart = ProcessStats.machineCPUSeconds()
        window.set(start: windowStart, end: windowEnd)
        sleep(until: windowEnd, rooms: rooms, phase: "measuring", recorders, connections)
        let witnessed = witness.map { ($0, $0.stop()) }
        let wakeupsEnd = serverWakeups(server)
        let serverCPUEnd = server.pid.flatMap(ProcessStats.cpuSeconds(of:))
        let ownCPUEnd = ProcessStats.ownCPUSeconds()
        let machineEnd = ProcessStats.machineCPUSeconds()
        let rssEnd = server.pid.flatMap(ProcessStats.residentBytes(of:))

        let merged = collect(group: group, recorders: recorders, windowEnd: windowEnd, seconds: windowSeconds)
        let offsets = options.measuresClockOffset ? clockOffsets(group: group, recorders: recorders) : nil
        let closedEarly = Int(recorders.reduce(0) { $0 + $1.closed.load })
        closeAll(group: group, recorders: recorders)

        let measuredSeconds = Double(windowEnd - windowStart) / 1e9
        var serverFigures = BenchResult.Server(pid: server.pid)
        if let start = serverCPUStart, let end = serverCPUEnd {
            serverFigures.cpuSeconds = end - start
            serverFigures.cpuPercent = (end - start) / measuredSeconds * 100
            let connectionTicks = Double(connections) * Double(options.tickRate) * measuredSeconds
            serverFigures.cpuPerConnectionTickMicros = (end - start) / connectionTicks * 1e6
        }
        if let start = wakeupsStart, let end = wakeupsEnd, end >= start {
            serverFigures.wakeupsPerSecond = (end - start) / measuredSeconds
        }
        serverFigures.rssIdleBytes = rssIdle
        serverFigures.rssBytes = rssEnd
        if let rssIdle, let rssEnd, connections > 0 {
            serverFigures.memoryPerConnectionBytes = (Double(rssEnd) - Double(rssIdle)) / Double(connections)
        }
        let ownCPU = ownCPUEnd - ownCPUStart
        let lateness = BenchResult.Percentiles(merged.timerLateness)
        let periodMicros = 1e6 / Double(options.tickRate)
        let generatorPercent = ownCPU / measuredSeconds * 100
        let generator = BenchResult.Generator(
            loops: options.clientLoops, cpuSeconds: ownCPU, cpuPercent: generatorPercent, timerLateness: lateness,
            fellBehind: lateness.p99 > periodMicros / 10 || generatorPercent > 90 * Double(options.clientLoops))
        let latency = BenchResult.Percentiles(merged.latency)
        let connected = Int(recorders.reduce(0) { $0 + $1.connected.load })
        let cdf: [[Double]] = merged.latency.cumulativeDistribution().map { [Double($0.value) / 1000, $0.fraction] }
        let p99BySecond: [Double] = merged.latencyBySecond.map { Double($0.value(atQuantile: 0.99)) / 1000 }
        let ticks = BenchResult.Ticks(
            framesReceived: merged.framesReceived, lateFrames: merged.lateFrames, missedTicks: merged.missedTicks,
            reanchors: merged.reanchors)
        let inputs = BenchResult.Inputs(
            sent: merged.inputsSent, behindSchedule: merged.inputsBehindSchedule, slotsSeen: merged.slotsSeen,
            filled: merged.slotsFilled, late: merged.slotsLate, disconnected: merged.slotsDisconnected)
        var machinePercent: Double?, otherPercent: Double?, stealPercent: Double?
        if let start = machineStart, let end = machineEnd {
            machinePercent = (end.busy - start.busy) / measuredSeconds * 100
            stealPercent = (end.steal - start.steal) / measuredSeconds * 100
            let ours = ownCPU + (serverFigures.cpuSeconds ?? 0)
            otherPercent = max(0, (end.busy - start.busy) - ours) / measuredSeconds * 100
        }
        let withinBudget = latency.count > 0 && latency.p99 <= options.p99BudgetMicros
        let passed = startedCount == connections && closedEarly == 0 && merged.missedTicks == 0 && withinBudget
        let bytesIn = Double(merged.bytesIn) / measuredSeconds
        let bytesOut = Double(merged.bytesOut) / measuredSeconds
        return BenchResult(
            rooms: rooms, players: options.players, spectators: options.spectators, connections: connections,
            connected: connected, started: startedCount, tickRate: options.tickRate, durationSeconds: measuredSeconds,
            latency: latency, readLatency: BenchResult.Percentiles(merged.readLatency),
            machineStalls: witnessed.map {
                Self.machineStalls(
                    cpuCount: $0.0.cpuCount, realtime: $0.0.realtime, stalls: $0.1, merged: merged, windowStart: windowStart,
                    seconds: windowSeconds)
            },
            kernelTimestampedFraction: merged.framesReceived > 0
                ? Double(merged.kernelStampedFrames) / Double(merged.framesReceived) : nil,
            latencyCDF: cdf, p99BySecond: p99BySecond, clockOffsets: offsets, jitter: BenchResult.Percentiles(merged.jitter),
            ticks: ticks, inputs: inputs, server: serverFigures, generator: generator, bytesInPerSecond: bytesIn,
            bytesOutPerSecond: bytesOut, machineCPUPercent: machinePercent, otherCPUPercent: otherPercent,
            stealPercent: stealPercent, errors: merged.errors, closedEarly: closedEarly, passed: passed)
    }

    // MARK: Pieces

    /// The server's loop wake-ups so far (all loops), from its `/metrics`; `nil` when it cannot be read.
    private func serverWakeups(_ server: BenchServer) -> Double? {
        guard let response = try? server.admin.request("GET", "/metrics"), response.status == 200 else { return nil }
        return ServerMetricsScrape(String(decoding: response.body, as: UTF8.self)).sum("lockstep_loop_iterations_total")
    }

    /// Sums up the witnesses' stalls and takes the frames that machine-wide stalls delayed out of
    /// the latency: a frame was delayed by one when the pause fell between its deadline and its
    /// arrival.
    static func machineStalls(
        cpuCount: Int, realtime: Bool, stalls: [StallWitness.Stall], merged: LoopMeasurements, windowStart: UInt64,
        seconds: Int
    ) -> BenchResult.MachineStalls {
        let machine = StallWitness.machineStalls(stalls, cpuCount: cpuCount)
        var perCPU = [Int](repeating: 0, count: cpuCount)
        for stall in stalls where stall.cpu < perCPU.count { perCPU[stall.cpu] += 1 }
        var longestBySecond = [Double](repeating: 0, count: max(1, seconds))
        var total: UInt64 = 0, longest: UInt64 = 0
        for interval in machine {
            let length = interval.upperBound - interval.lowerBound
            total += length
            longest = max(longest, length)
            if interval.lowerBound >= windowStart {
                let second = Int((interval.lowerBound - windowStart) / 1_000_000_000)
                if second < longestBySecond.count {
                    longestBySecond[second] = max(longestBySecond[second], Double(length) / 1000)
                }
            }
        }
        let anyCPU = StallWitness.anyStalls(stalls)
        var outside = merged.fastLatency, outsideAny = merged.fastLatency
        var delayed: UInt64 = 0, delayedAny: UInt64 = 0
        for frame in merged.slowFrames {
            if StallWitness.crosses(machine, from: frame.deadline, to: frame.arrival) {
                delayed += 1
            } else {
                outside.record(frame.latency)
            }
            if StallWitness.crosses(anyCPU, from: frame.deadline, to: frame.arrival) {
                delayedAny += 1
            } else {
                outsideAny.record(frame.latency)
            }
        }
        let classified = merged.slowFramesDropped == 0
        return BenchResult.MachineStalls(
            cpus: cpuCount, realtime: realtime,
            thresholdMicros: Double(StallWitness.thresholdNanoseconds) / 1000, stallsPerCPU: perCPU,
            count: machine.count, totalMillis: Double(total) / 1e6, longestMillis: Double(longest) / 1e6,
            longestBySecond: longestBySecond, slowFrames: UInt64(merged.slowFrames.count) + merged.slowFramesDropped,
            framesDelayedByStalls: delayed, slowFramesUnclassified: merged.slowFramesDropped,
            latencyOutsideStalls: classified ? BenchResult.Percentiles(outside) : nil,
            framesDelayedByAnyCPUStall: delayedAny,
            latencyOutsideAnyCPUStall: classified ? BenchResult.Percentiles(outsideAny) : nil)
    }

    /// Waits (at most `quietWaitSeconds`) until the machine spends under 15 % of one core over a second.
    private func waitForQuietMachine(rooms: Int) {
        guard options.quietWaitSeconds > 0 else { return }
        let deadline = now() + nanoseconds(options.quietWaitSeconds)
        while now() < deadline {
            guard let before = ProcessStats.machineCPUSeconds() else { return }
            usleep(1_000_000)
            guard let after = ProcessStats.machineCPUSeconds() else { return }
            let busy = (after.busy - before.busy) * 100
            if busy < 15 { return }
            progress("[\(rooms) rooms] waiting for a quiet machine: \(Int(busy)) % of a core busy   \r")
        }
    }

    private func connect(
        room: AdminClient.CreatedRoom, index: Int, loop: EventLoop, recorder: LoopRecorder, window: BenchWindow,
        server: BenchServer
    ) {
        let options = self.options
        let (host, port) = server.playAddress(of: room)
        let path = server.playPath + "?room=" + room.roomID
        loop.execute {
            let tokens = room.tokens.prefix(options.players).map { ($0, true) }
                + Array(repeating: (room.spectatorToken, false), count: options.spectators)
            for (slot, (token, isPlayer)) in tokens.enumerated() {
                let session = BotSession(
                    isPlayer: isPlayer, countsStatuses: slot == 0, seed: options.seed &+ UInt64(index), botIndex: slot,
                    measuresClockOffset: options.measuresClockOffset)
                let bot = BenchBot(session: session, token: token, recorder: recorder, window: window)
                do {
                    try bot.connect(host: host, port: port, path: path, on: loop)
                } catch {
                    recorder.closed.add()
                }
                recorder.bots.append(bot)
            }
        }
    }

    /// A 1 ms repeating timer per client loop: how late it fires is the generator's own delay.
    private func startPacingTimers(group: EventLoopGroup, recorders: [LoopRecorder], window: BenchWindow) {
        for (loop, recorder) in zip(group.loops, recorders) {
            loop.execute {
                var firings = 0
                loop.scheduleRepeatingTimer(first: MonotonicInstant.now() + .milliseconds(1), interval: .milliseconds(1)) {
                    firing in
                    firings += 1
                    if firings % 1000 == 0 { recorder.realtimeOffset.refresh() }
                    if window.contains(firing.firedAt.nanoseconds) {
                        recorder.measurements.timerLateness.record(firing.latenessNanoseconds)
                    }
                }
            }
        }
    }

    /// Copies every loop's figures (on its loop), adding the ticks still undelivered at `windowEnd`.
    private func collect(group: EventLoopGroup, recorders: [LoopRecorder], windowEnd: UInt64, seconds: Int) -> LoopMeasurements {
        let copies = Mutex<[LoopMeasurements]>([])
        let copied = ConditionSignal()
        for (loop, recorder) in zip(group.loops, recorders) {
            loop.execute {
                var copy = recorder.measurements
                for bot in recorder.bots { copy.missedTicks += bot.session.undeliveredTicks(by: windowEnd) }
                copies.withLock { $0.append(copy) }
                copied.signal()
            }
        }
        copied.wait(until: MonotonicInstant.now() + .seconds(10)) { copies.withLock { $0.count } >= recorders.count }
        var merged = LoopMeasurements(seconds: seconds)
        for copy in copies.withLock({ $0 }) { merged.merge(copy) }
        return merged
    }

    /// Each connection's best PING round trip and offset, summed up (read on the loops).
    private func clockOffsets(group: EventLoopGroup, recorders: [LoopRecorder]) -> BenchResult.ClockOffsets? {
        let samples = Mutex<[(UInt64, Int64)]>([])
        let done = Atomic<Int>(0)
        let read = ConditionSignal()
        for (loop, recorder) in zip(group.loops, recorders) {
            loop.execute {
                let mine = recorder.bots.map(\.session).filter { $0.bestRoundTrip != .max }
                    .map { ($0.bestRoundTrip, $0.clockOffset) }
                samples.withLock { $0 += mine }
                done.add(1, ordering: .releasing)
                read.signal()
            }
        }
        read.wait(until: MonotonicInstant.now() + .seconds(10)) { done.load(ordering: .acquiring) >= recorders.count }
        let all = samples.withLock { $0 }
        guard !all.isEmpty else { return nil }
        return BenchResult.ClockOffsets(
            connections: all.count, minRoundTripMicros: Double(all.map(\.0).min() ?? 0) / 1000,
            maxBestRoundTripMicros: Double(all.map(\.0).max() ?? 0) / 1000,
            minOffsetMicros: Double(all.map(\.1).min() ?? 0) / 1000, maxOffsetMicros: Double(all.map(\.1).max() ?? 0) / 1000)
    }

    private func closeAll(group: EventLoopGroup, recorders: [LoopRecorder]) {
        for (loop, recorder) in zip(group.loops, recorders) {
            loop.execute { for bot in recorder.bots { bot.client?.close() } }
        }
        usleep(300_000)
    }

    private func sleep(until end: UInt64, rooms: Int, phase: String, _ recorders: [LoopRecorder], _ connections: Int) {
        while now() < end {
            progress(status(rooms, phase, recorders, connections))
            usleep(UInt32(min(1_000_000, max(1000, (end - now()) / 1000))))
        }
    }

    private func status(_ rooms: Int, _ phase: String, _ recorders: [LoopRecorder], _ connections: Int) -> String {
        let connected = recorders.reduce(0) { $0 + $1.connected.load }
        let started = recorders.reduce(0) { $0 + $1.started.load }
        let closed = recorders.reduce(0) { $0 + $1.closed.load }
        let frames = recorders.reduce(0) { $0 + $1.frames.load }
        return "[\(rooms) rooms] \(phase): connected \(connected)/\(connections), playing \(started), "
            + "closed \(closed), frames measured \(frames)   \r"
    }

    private func now() -> UInt64 { MonotonicInstant.now().nanoseconds }
    private func nanoseconds(_ value: Double) -> UInt64 { UInt64(max(0, value) * 1e9) }
    private func nanoseconds(_ value: Int) -> UInt64 { UInt64(max(0, value)) * 1_000_000_000 }
}
