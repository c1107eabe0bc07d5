import CAllocationCounter
import LockstepCore
import LockstepProtocol
import Testing
@testable import LockstepBench

/// The bot's per-message path: parsing server messages in place, measuring, writing inputs.
@Suite struct BotSessionTests {
    static let epoch: UInt64 = 5_000_000_000
    static let period: UInt64 = 1_000_000_000 / 30

    /// A WELCOME for slot 1 of 4 at 30 Hz, input delay 2, with the schedule already known.
    static func welcome() -> [UInt8] {
        var writer = WireWriter()
        ServerMessageEncoder.welcome(
            Welcome(
                role: .player, slot: PlayerSlot(1), playerCount: 4, tickRate: 30, inputDelay: 2, leadWindow: 32,
                payloadLimit: 32, hashInterval: 0, spectatorDelay: 0, seed: 42, simulationVersion: 1, phase: .running,
                nextTick: Tick(0), schedule: WireSchedule(baseTick: Tick(0), epoch: epoch, tickRate: 30),
                serverTime: epoch, roomID: "room-1", simulationID: "lockstep.arena"),
            into: &writer)
        return writer.bytes
    }

    /// A FRAME for `tick`: slot 0 on time, slot 1 filled, slot 2 late, slot 3 disconnected.
    static func frame(_ tick: UInt32) -> [UInt8] {
        let frame = ConfirmedFrame(tick: Tick(tick), inputs: [
            (.onTime, [1, 2, 3, 4, 5]), (.missingFilled, []), (.lateMoved, [9, 9, 9, 9, 9]), (.disconnected, []),
        ])
        var writer = WireWriter()
        ServerMessageEncoder.frame(frame, into: &writer)
        return writer.bytes
    }

    func feed(_ session: inout BotSession, _ bytes: [UInt8], at now: UInt64, window: BenchWindow,
              _ measurements: inout LoopMeasurements, sent: inout [[UInt8]]) {
        bytes.withUnsafeBytes { raw in
            session.receive(raw, at: now, window: window, into: &measurements) { sent.append(Array($0)) }
        }
    }

    @Test func latencyIsTheReceiveTimeMinusTheTicksDeadlineAndInputsGoOutOnePerFrame() {
        var session = BotSession(isPlayer: true, countsStatuses: true, seed: 1, botIndex: 1)
        let window = BenchWindow()
        window.set(start: 0, end: .max)
        var measurements = LoopMeasurements(seconds: 10)
        var sent: [[UInt8]] = []
        feed(&session, Self.welcome(), at: Self.epoch - 1000, window: window, &measurements, sent: &sent)
        // The schedule is known: inputs for ticks 0, 1 and 2 (input delay 2) go out at once.
        #expect(sent.map { $0[1] } == [0, 1, 2])
        #expect(sent.allSatisfy { $0.count == 11 && $0[0] == 0x02 && $0[5] == 1 })
        // Tick 0 arrives 150 µs after its deadline, tick 1 after 250 µs.
        feed(&session, Self.frame(0), at: Self.epoch + 150_000, window: window, &measurements, sent: &sent)
        feed(&session, Self.frame(1), at: Self.epoch + Self.period + 250_000, window: window, &measurements, sent: &sent)
        #expect(measurements.latency.count == 2)
        #expect(measurements.latency.min == 150_000)
        #expect(measurements.latency.max == 250_000)
        #expect(sent.map { $0[1] } == [0, 1, 2, 3, 4])
        #expect(measurements.slotsFilled == 2 && measurements.slotsLate == 2 && measurements.slotsDisconnected == 2)
        #expect(measurements.jitter.max == 100_000)
        // Tick 2 never comes: tick 3 is a gap of one.
        feed(&session, Self.frame(3), at: Self.epoch + 3 * Self.period + 100_000, window: window, &measurements, sent: &sent)
        #expect(measurements.missedTicks == 1)
        #expect(measurements.lateFrames == 0)
        // Nothing after tick 3: ticks due by then are counted as undelivered.
        #expect(session.undeliveredTicks(by: Self.epoch + 10 * Self.period + 1) == 5)
    }

    /// With a kernel receive timestamp the latency is arrival − deadline; the read time goes to
    /// `readLatency`, so a generator slow to get to its sockets does not count against the server.
    @Test func latencyUsesTheArrivalTimeAndReadLatencyTheReadTime() {
        var session = BotSession(isPlayer: false, countsStatuses: false, seed: 1, botIndex: 0)
        let window = BenchWindow()
        window.set(start: 0, end: .max)
        var measurements = LoopMeasurements(seconds: 10)
        Self.welcome().withUnsafeBytes { raw in
            session.receive(raw, at: Self.epoch - 1000, window: window, into: &measurements) { _ in }
        }
        // Tick 0 arrived 80 µs after its deadline and was read 400 µs after it.
        Self.frame(0).withUnsafeBytes { raw in
            session.receive(raw, at: Self.epoch + 400_000, arrivedAt: Self.epoch + 80_000, window: window, into: &measurements) { _ in }
        }
        // Tick 1 came without a timestamp: both figures use the read time.
        Self.frame(1).withUnsafeBytes { raw in
            session.receive(raw, at: Self.epoch + Self.period + 120_000, window: window, into: &measurements) { _ in }
        }
        #expect(measurements.latency.min == 80_000 && measurements.latency.max == 120_000)
        #expect(measurements.readLatency.min == 120_000 && measurements.readLatency.max == 400_000)
        #expect(measurements.kernelStampedFrames == 1 && measurements.framesReceived == 2)
        // Jitter is between arrivals: (period + 120 µs) − 80 µs − period.
        #expect(measurements.jitter.max == 40_000)
    }

    @Test func aReanchoredScheduleCountsTheSlippedTicksAsMissed() {
        var session = BotSession(isPlayer: false, countsStatuses: false, seed: 1, botIndex: 0)
        let window = BenchWindow()
        window.set(start: 0, end: .max)
        var measurements = LoopMeasurements(seconds: 1)
        var sent: [[UInt8]] = []
        feed(&session, Self.welcome(), at: Self.epoch, window: window, &measurements, sent: &sent)
        #expect(sent.isEmpty)  // a spectator sends nothing
        var writer = WireWriter()
        // Tick 10 moved from epoch + 10 periods to epoch + 15 periods: 5 ticks slipped.
        ServerMessageEncoder.schedule(
            WireSchedule(baseTick: Tick(10), epoch: Self.epoch + 15 * Self.period, tickRate: 30), into: &writer)
        feed(&session, writer.bytes, at: Self.epoch + 15 * Self.period, window: window, &measurements, sent: &sent)
        #expect(measurements.reanchors == 1)
        #expect(measurements.missedTicks == 5)
    }

    @Test func pongsPutTheFramesOnTheServersClockUsingTheSmallestRoundTrip() {
        var session = BotSession(isPlayer: false, countsStatuses: false, seed: 1, botIndex: 0, measuresClockOffset: true)
        let window = BenchWindow()
        window.set(start: 0, end: .max)
        var measurements = LoopMeasurements(seconds: 1)
        var sent: [[UInt8]] = []
        let ahead: UInt64 = 1_000_000  // the server's clock reads 1 ms more than ours
        feed(&session, Self.welcome(), at: Self.epoch - ahead - 1000, window: window, &measurements, sent: &sent)
        #expect(sent.first?.first == 0x04)  // the first PING goes out with the schedule
        func pong(sentAt t0: UInt64, roundTrip: UInt64) -> [UInt8] {
            var writer = WireWriter()
            ServerMessageEncoder.pong(clientTime: t0, serverTime: t0 + roundTrip / 2 + ahead, nextTick: Tick(0), into: &writer)
            return writer.bytes
        }
        feed(&session, pong(sentAt: 1000, roundTrip: 100), at: 1100, window: window, &measurements, sent: &sent)
        // A slower sample whose midpoint is off by 5 µs does not replace the better one.
        var skewed = pong(sentAt: 5000, roundTrip: 40_000)
        skewed.withUnsafeMutableBytes { $0.storeBytes(of: (5000 + 25_000 + ahead).littleEndian, toByteOffset: 9, as: UInt64.self) }
        feed(&session, skewed, at: 45_000, window: window, &measurements, sent: &sent)
        #expect(session.clockOffset == Int64(ahead))
        #expect(session.bestRoundTrip == 100)
        feed(&session, Self.frame(0), at: Self.epoch - ahead + 150_000, window: window, &measurements, sent: &sent)
        #expect(measurements.latency.min == 150_000)
        #expect(sent.filter { $0.first == 0x04 }.count == 2)  // and one more PING per frame until eight
    }

    @Test func truncatedMessagesAreIgnoredWithoutReadingPastTheEnd() {
        var session = BotSession(isPlayer: true, countsStatuses: true, seed: 1, botIndex: 0)
        let window = BenchWindow()
        window.set(start: 0, end: .max)
        var measurements = LoopMeasurements(seconds: 1)
        var sent: [[UInt8]] = []
        feed(&session, Self.welcome(), at: Self.epoch, window: window, &measurements, sent: &sent)
        let frame = Self.frame(0)
        for length in 0..<frame.count {
            feed(&session, Array(frame.prefix(length)), at: Self.epoch + 1000, window: window, &measurements, sent: &sent)
        }
        for type: UInt8 in [0x81, 0x83, 0x85, 0x86, 0x87] {
            feed(&session, [type, 1], at: Self.epoch + 1000, window: window, &measurements, sent: &sent)
        }
        #expect(measurements.slotsSeen <= 4 * UInt64(frame.count))
    }

    @Test func theBotsPerMessagePathAllocatesNothingOnceWarm() {
        var session = BotSession(isPlayer: true, countsStatuses: true, seed: 1, botIndex: 0)
        let window = BenchWindow()
        window.set(start: 0, end: .max)
        var measurements = LoopMeasurements(seconds: 400)
        var bytesSent = 0
        let welcome = Self.welcome()
        var frames: [[UInt8]] = (0..<10_100).map { Self.frame(UInt32($0)) }
        welcome.withUnsafeBytes { raw in
            session.receive(raw, at: Self.epoch, window: window, into: &measurements) { bytesSent += $0.count }
        }
        func run(_ ticks: Range<Int>) {
            for tick in ticks {
                frames[tick].withUnsafeBytes { raw in
                    let now = Self.epoch + UInt64(tick) * Self.period + 120_000
                    session.receive(raw, at: now, window: window, into: &measurements) { bytesSent += $0.count }
                }
            }
        }
        run(0..<100)  // warm up
        let before = lockstep_thread_allocations()
        run(100..<10_100)
        #expect(lockstep_thread_allocations() - before == 0)
        #expect(measurements.latency.count == 10_100)
        #expect(bytesSent == 11 * (10_100 + 3))
        frames.removeAll()
    }
}
