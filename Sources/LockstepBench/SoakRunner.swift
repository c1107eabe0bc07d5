import Foundation
import LockstepCore
import LockstepEventLoop
import Synchronization

#if canImport(Glibc)
    import Glibc
    import LockstepClient
#endif

/// Runs `lockstep bench --soak`: a server (started here or given by URL), `rooms` places each
/// playing short matches back to back (the first ones staggered, so rooms end and are replaced
/// all the time), players that drop and resume, spectators that join mid-match, and a sample of
/// the server every `sampleEverySeconds`. Ends on time whatever happens.
public final class SoakRunner {
    /// What to run.
    public let options: SoakOptions
    private let progress: (String) -> Void
    private var counts = SoakReport.Counts()
    private var random: SplitMix64
    /// Replays of ended matches and when to delete them (monotonic ns): an hour at 125 rooms
    /// writes half a gigabyte, and the soak is about the server's memory, not the disk.
    private var expiredReplays: [(path: String, at: UInt64)] = []
    /// Resumed players and joined spectators of the matches already retired.
    private var retiredReconnects = 0, retiredSpectators = 0

    /// Seconds a match may run past its tick limit (a start that waited for a player included)
    /// before the bench ends it through the admin API.
    static let overrunSeconds = 60.0

    /// A runner for `options`; `progress` receives a status line about once a second (ending in a
    /// carriage return) and a line per sample (ending in a newline).
    public init(options: SoakOptions, progress: @escaping (String) -> Void = { _ in }) {
        self.options = options
        self.progress = progress
        random = SplitMix64(state: options.bench.seed)
    }

    /// Runs the soak and assembles the report.
    ///
    /// - Throws: `BenchRunner.Failure` when the run cannot be set up (the server does not start,
    ///   the client loops cannot be created). A run that sets up and then misbehaves is a verdict, not an error.
    public func run(commandLine: String) throws -> SoakReport {
        var bench = options.bench
        bench.roomCounts = [options.rooms]
        let server = try BenchServer(options: bench, rooms: options.rooms)
        defer { server.stop() }
        let group: EventLoopGroup
        do {
            group = try EventLoopGroup(count: bench.clientLoops)
        } catch {
            throw BenchRunner.Failure(description: "cannot start the client loops: \(error)")
        }
        defer { group.shutdown() }
        let recorders = group.loops.map { _ in LoopRecorder(seconds: 1) }
        let window = BenchWindow()
        let start = now()
        window.set(start: start, end: .max)
        refreshClockOffsets(group: group, recorders: recorders)
        var sampler = SoakSampler(server: server, group: group, recorders: recorders, start: start)
        var slots = (0..<options.rooms).map { SoakSlot(index: $0, loopIndex: $0 % group.loops.count) }
        var samples: [SoakSample] = []
        let end = start + nanoseconds(options.durationSeconds)
        var nextSample = start + nanoseconds(options.sampleEverySeconds)
        var lastStatus: UInt64 = 0
        while true {
            let time = now()
            if time >= nextSample {
                tally(slots)
                samples.append(sampler.sample(at: nextSample, counts: &counts))
                progress(
                    SoakTable.sampleLine(samples[samples.count - 1], warmup: options.effectiveWarmupSeconds) + "\n")
                if nextSample >= end { break }
                nextSample = min(end, nextSample + nanoseconds(options.sampleEverySeconds))
                continue
            }
            for index in slots.indices {
                advance(
                    &slots[index], at: time, start: start, server: server, group: group, recorders: recorders,
                    window: window)
            }
            deleteExpiredReplays(at: time)
            if time - lastStatus >= 1_000_000_000 {
                lastStatus = time
                progress(status(slots, elapsed: Double(time - start) / 1e9))
            }
            usleep(UInt32(min(20_000, max(1000, (nextSample - min(nextSample, now())) / 1000))))
        }
        // Close every connection, end an external server's rooms, and wait a moment for the closes.
        for slot in slots {
            guard let room = slot.room else { continue }
            room.loop.execute { room.closeAll() }
        }
        server.endRooms(slots.compactMap { $0.room?.created })
        usleep(300_000)
        return report(commandLine: commandLine, samples: samples)
    }

    // MARK: Matches

    /// Moves one place on: starts its next match, notes the start, lets spectators in, drops a
    /// player, ends an overrunning match, or retires the match that ended.
    private func advance(
        _ slot: inout SoakSlot, at time: UInt64, start: UInt64, server: BenchServer, group: EventLoopGroup,
        recorders: [LoopRecorder], window: BenchWindow
    ) {
        guard let room = slot.room else {
            // The first matches are connected over the ramp.
            let due = start + UInt64(options.bench.rampSeconds * 1e9 * Double(slot.index) / Double(options.rooms))
            if time >= due, time >= slot.retryAt {
                begin(
                    &slot, server: server, loop: group.loops[slot.loopIndex], recorder: recorders[slot.loopIndex],
                    window: window)
            }
            return
        }
        if slot.startedAt == nil, room.playersStarted.load(ordering: .relaxed) >= options.bench.players {
            slot.startedAt = time
            counts.matchesStarted += 1
            plan(&slot, startedAt: time)
        }
        if let at = slot.spectatorsAt, time >= at {
            slot.spectatorsAt = nil
            joinSpectators(room, server: server, recorder: recorders[slot.loopIndex], window: window)
        }
        if let at = slot.reconnectAt, time >= at {
            slot.reconnectAt = nil
            reconnect(
                room, player: slot.reconnectPlayer, server: server, recorder: recorders[slot.loopIndex], window: window)
        }
        if room.isOver {
            retiredReconnects += room.playersResumed.load(ordering: .relaxed)
            retiredSpectators += room.spectatorsStarted.load(ordering: .relaxed)
            if slot.forcedAt == nil, slot.startedAt != nil { counts.matchesEnded += 1 }
            if let directory = server.replays {
                expiredReplays.append((directory + "/" + room.created.roomID + ".lsr", time + 5_000_000_000))
            }
            slot.room = nil
            return
        }
        let overrun = slot.createdAt + slot.matchNanoseconds + nanoseconds(Self.overrunSeconds)
        if slot.forcedAt == nil, time >= overrun {
            slot.forcedAt = time
            counts.matchesForced += 1
            _ = try? server.admin.request("POST", "/v1/rooms/\(room.created.roomID)/end")
            room.loop.execute { room.closeAll() }
        } else if let forced = slot.forcedAt, time >= forced + 10_000_000_000 {
            retiredReconnects += room.playersResumed.load(ordering: .relaxed)
            retiredSpectators += room.spectatorsStarted.load(ordering: .relaxed)
            slot.room = nil  // its connections would not close: leave them to the loop and go on
        }
    }

    /// Creates the place's next match and connects its players.
    private func begin(
        _ slot: inout SoakSlot, server: BenchServer, loop: EventLoop, recorder: LoopRecorder, window: BenchWindow
    ) {
        let bench = options.bench
        // The first match of place i lasts (i + 1) / rooms of a match (at least a second), so ends are spread evenly.
        var seconds = options.matchSeconds
        if slot.matches == 0 { seconds = max(1, seconds * Double(slot.index + 1) / Double(options.rooms)) }
        let ticks = max(1, Int((seconds * Double(bench.tickRate)).rounded()))
        let seed = bench.seed &+ UInt64(options.rooms * slot.matches + slot.index)
        let settings: [String: Any] = [
            "players": bench.players, "tickRate": bench.tickRate, "inputDelay": bench.inputDelay,
            "seed": Int(truncatingIfNeeded: seed & 0x1F_FFFF_FFFF_FFFF), "maxTicks": ticks,
        ]
        let created: AdminClient.CreatedRoom
        do {
            created = try server.admin.createRoom(settings)
        } catch {
            if counts.roomCreationFailures == 0 { progress("room creation failed (retried every second): \(error)\n") }
            counts.roomCreationFailures += 1
            slot.retryAt = now() + 1_000_000_000
            return
        }
        counts.matchesCreated += 1
        counts.connectionsOpened += bench.players
        slot.matches += 1
        slot.createdAt = now()
        slot.startedAt = nil
        slot.forcedAt = nil
        slot.spectatorsAt = nil
        slot.reconnectAt = nil
        slot.matchNanoseconds = UInt64(Double(ticks) * 1e9 / Double(bench.tickRate))
        let room = SoakRoom(created: created, loop: loop)
        slot.room = room
        let (host, port, path) = (server.playHost, server.playPort, server.playPath + "?room=" + created.roomID)
        let offset = bench.measuresClockOffset
        loop.execute {
            for player in 0..<bench.players {
                let session = BotSession(
                    isPlayer: true, countsStatuses: player == 0, seed: seed, botIndex: player,
                    measuresClockOffset: offset)
                room.connect(
                    session: session, token: created.tokens[player], playerSlot: player, host: host, port: port,
                    path: path,
                    recorder: recorder, window: window)
            }
        }
    }

    /// Plans the started match: its spectators join between 10 % and 50 % of it, and in
    /// `reconnectShare` of matches (of 4 s or more) a player drops between 30 % and 60 % of it.
    private func plan(_ slot: inout SoakSlot, startedAt: UInt64) {
        let length = Double(slot.matchNanoseconds)
        if options.bench.spectators > 0 {
            slot.spectatorsAt = startedAt + UInt64(length * (0.1 + 0.4 * unit()))
        }
        if slot.matchNanoseconds >= 4_000_000_000, unit() < options.reconnectShare {
            slot.reconnectAt = startedAt + UInt64(length * (0.3 + 0.3 * unit()))
            slot.reconnectPlayer = Int(random.next() % UInt64(options.bench.players))
        }
    }

    private func joinSpectators(_ room: SoakRoom, server: BenchServer, recorder: LoopRecorder, window: BenchWindow) {
        guard !room.isOver else { return }
        let (host, port, path) = (server.playHost, server.playPort, server.playPath + "?room=" + room.created.roomID)
        let (count, offset, seed) = (options.bench.spectators, options.bench.measuresClockOffset, options.bench.seed)
        counts.connectionsOpened += count
        room.loop.execute {
            for index in 0..<count {
                let session = BotSession(
                    isPlayer: false, countsStatuses: false, seed: seed, botIndex: index, measuresClockOffset: offset)
                room.connect(
                    session: session, token: room.created.spectatorToken, playerSlot: nil, host: host, port: port,
                    path: path,
                    recorder: recorder, window: window)
            }
        }
    }

    /// Drops `player`'s connection; after `reconnectPauseSeconds` it connects again, resuming after
    /// the last tick it held.
    private func reconnect(
        _ room: SoakRoom, player: Int, server: BenchServer, recorder: LoopRecorder, window: BenchWindow
    ) {
        guard !room.isOver else { return }
        counts.reconnectsAsked += 1
        counts.connectionsOpened += 1
        room.pendingReconnects.add(1, ordering: .sequentiallyConsistent)
        let (host, port, path) = (server.playHost, server.playPort, server.playPath + "?room=" + room.created.roomID)
        let (pause, offset) = (options.reconnectPauseSeconds, options.bench.measuresClockOffset)
        let seed = options.bench.seed &+ UInt64(player)
        let loop = room.loop
        loop.execute {
            guard let held = room.drop(playerSlot: player) else {
                room.pendingReconnects.subtract(1, ordering: .sequentiallyConsistent)
                return
            }
            _ = loop.scheduleTimer(at: MonotonicInstant.now() + .milliseconds(Int(pause * 1000))) { _ in
                let session = BotSession(
                    isPlayer: true, countsStatuses: false, seed: seed, botIndex: player, measuresClockOffset: offset)
                room.connect(
                    session: session, token: room.created.tokens[player], playerSlot: player, resumeAfter: held,
                    host: host,
                    port: port, path: path, recorder: recorder, window: window)
                room.pendingReconnects.subtract(1, ordering: .sequentiallyConsistent)
            }
        }
    }

    // MARK: Bookkeeping

    /// Brings the running totals of resumed players and joined spectators up to date.
    private func tally(_ slots: [SoakSlot]) {
        counts.reconnects =
            retiredReconnects + slots.reduce(0) { $0 + ($1.room?.playersResumed.load(ordering: .relaxed) ?? 0) }
        counts.spectatorsJoined =
            retiredSpectators
            + slots.reduce(0) { $0 + ($1.room?.spectatorsStarted.load(ordering: .relaxed) ?? 0) }
    }

    private func deleteExpiredReplays(at time: UInt64) {
        while let first = expiredReplays.first, first.at <= time {
            unlink(first.path)
            expiredReplays.removeFirst()
        }
    }

    /// Keeps each loop's realtime-to-monotonic offset fresh (the kernel's receive timestamps are on CLOCK_REALTIME).
    private func refreshClockOffsets(group: EventLoopGroup, recorders: [LoopRecorder]) {
        for (loop, recorder) in zip(group.loops, recorders) {
            loop.execute {
                _ = loop.scheduleRepeatingTimer(first: MonotonicInstant.now() + .seconds(1), interval: .seconds(1)) {
                    _ in
                    recorder.realtimeOffset.refresh()
                }
            }
        }
    }

    private func report(commandLine: String, samples: [SoakSample]) -> SoakReport {
        var serverLoops: Int?
        var target = "external"
        if case .child(_, let loops) = options.bench.target {
            serverLoops = loops
            target = "child"
        }
        let bench = options.bench
        let verdict = SoakVerdict.judge(
            samples: samples, warmupSeconds: options.effectiveWarmupSeconds,
            expectedConnections: options.expectedConnections,
            thresholds: options.thresholds)
        return SoakReport(
            schema: SoakReport.currentSchema, createdAt: ISO8601DateFormatter().string(from: Date()),
            commandLine: commandLine,
            machine: .current(), target: target, serverLoops: serverLoops, rooms: options.rooms, players: bench.players,
            spectators: bench.spectators, tickRate: bench.tickRate, inputDelay: bench.inputDelay,
            durationSeconds: options.durationSeconds, warmupSeconds: options.effectiveWarmupSeconds,
            sampleEverySeconds: options.sampleEverySeconds, matchSeconds: options.matchSeconds,
            reconnectShare: options.reconnectShare, expectedConnections: options.expectedConnections,
            p99BudgetMicros: bench.p99BudgetMicros, thresholds: options.thresholds, counts: counts, samples: samples,
            verdict: verdict)
    }

    private func status(_ slots: [SoakSlot], elapsed: Double) -> String {
        let playing = slots.filter { $0.startedAt != nil && $0.room != nil }.count
        let phase = elapsed < options.effectiveWarmupSeconds ? "warm-up" : "soak"
        return "[soak \(options.rooms) rooms] \(phase) \(Int(elapsed))/\(Int(options.durationSeconds)) s: "
            + "playing \(playing), matches ended \(counts.matchesEnded), reconnects \(counts.reconnects), "
            + "spectators \(counts.spectatorsJoined)   \r"
    }

    /// A uniform value in [0, 1) from the seeded generator.
    private func unit() -> Double { Double(random.next() >> 11) / Double(1 << 53) }
    private func now() -> UInt64 { MonotonicInstant.now().nanoseconds }
    private func nanoseconds(_ value: Double) -> UInt64 { UInt64(max(0, value) * 1e9) }
}
