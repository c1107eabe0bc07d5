import LockstepClient
import LockstepCore
import LockstepEventLoop
import LockstepProtocol
import LockstepSimulation

/// One bot's protocol state as a value: reads the server's messages in place with the protocol's
/// `ServerMessageHead` (nothing is decoded into objects), records what it measures, and writes
/// the next INPUT with `ClientMessageEncoder` into a buffer it owns. The schedule is the core's
/// `TickSchedule`, the input pacing the protocol's `FrameDrivenInputs`: the parts the other
/// clients use, on a path that allocates nothing once initialised. `BenchBot` does the I/O.
struct BotSession {
    /// Whether this connection plays (sends inputs) or only watches.
    let isPlayer: Bool
    /// Whether this connection counts frame slot statuses (one receiver per room, so each frame counts once).
    let countsStatuses: Bool
    private var slot = PlayerSlot(0)
    private var inputDelay = 0
    /// The room's schedule, once its match started.
    private var schedule: TickSchedule?
    /// Which ticks to send inputs for (a player's, from its match start).
    private var inputs: FrameDrivenInputs?
    /// Whether the room's schedule is known (the match started).
    var hasSchedule: Bool { schedule != nil }
    /// Whether the match ended.
    private(set) var ended = false
    /// The next tick whose frame is expected.
    private(set) var expectedTick: UInt32 = 0
    private var lastArrival: UInt64 = 0
    private var bot: ArenaBot
    private var writer = WireWriter(capacity: 64)
    private var payload = [UInt8](repeating: 0, count: ArenaInput.encodedSize)
    /// Whether to estimate the server's clock offset with PING/PONG (a server on another host).
    let measuresClockOffset: Bool
    /// The PONGs' samples: the client library's estimate of the server's clock.
    private var clock = ClockSynchronizer()
    /// Server clock − client clock, ns, as `ClockSynchronizer` estimates it (0 on one host, and
    /// before any PONG); kept here so the per-frame path does not recompute it.
    private(set) var clockOffset: Int64 = 0
    /// The smallest PING round trip seen, ns (`UInt64.max` before any PONG).
    var bestRoundTrip: UInt64 { clock.bestRoundTrip ?? .max }
    private var pingsLeft = 0

    /// PINGs sent per connection at match start (one per frame) to estimate the clock offset.
    static let offsetPings = 8

    /// A session for a player (inputs seeded by `seed` and the room index) or a spectator;
    /// `measuresClockOffset` when the server's clock is not this host's.
    init(isPlayer: Bool, countsStatuses: Bool, seed: UInt64, botIndex: Int, measuresClockOffset: Bool = false) {
        self.isPlayer = isPlayer
        self.countsStatuses = countsStatuses
        self.measuresClockOffset = measuresClockOffset
        bot = ArenaBot(seed: seed, slot: botIndex)
    }

    /// `now` (this host's monotonic clock) on the server's clock.
    @inline(__always)
    func serverTime(_ now: UInt64) -> UInt64 { UInt64(max(0, Int64(bitPattern: now) &+ clockOffset)) }

    /// `serverTime` on this host's monotonic clock.
    @inline(__always)
    func clientTime(_ serverTime: UInt64) -> UInt64 { UInt64(max(0, Int64(bitPattern: serverTime) &- clockOffset)) }

    /// The tick period in nanoseconds (of 30 Hz before the schedule is known).
    var periodNanoseconds: UInt64 { schedule?.rate.periodNanoseconds ?? 1_000_000_000 / 30 }

    /// Tick `tick`'s deadline on the server's clock (0 before the schedule is known).
    @inline(__always)
    func deadline(of tick: UInt32) -> UInt64 {
        schedule?.deadline(of: Tick(tick)) ?? 0
    }

    /// Handles one server message read at `now` (monotonic ns) that reached the host's socket at
    /// `arrival` (the kernel's timestamp, `nil` when unknown): records into `measurements` when
    /// `now` is inside `window`, and passes each message to send (INPUT, PING) to `send`. A
    /// malformed message is ignored from the field that does not read.
    mutating func receive(
        _ bytes: UnsafeRawBufferPointer, at now: UInt64, arrivedAt arrival: UInt64? = nil, window: BenchWindow,
        into measurements: inout LoopMeasurements, send: (UnsafeRawBufferPointer) -> Void
    ) {
        var reader = WireReader(bytes)
        guard let head = try? ServerMessageHead.read(&reader) else { return }
        let inWindow = window.contains(now)
        if inWindow { measurements.bytesIn &+= UInt64(bytes.count) }
        switch head {
        case .frame(let tick, let slotCount):
            frame(tick.rawValue, slotCount: slotCount, &reader, at: now, arrivedAt: arrival, inWindow: inWindow, window: window, into: &measurements, send: send)
        case .welcome(let welcome):
            slot = welcome.slot ?? PlayerSlot(0)
            inputDelay = Int(welcome.inputDelay)
            expectedTick = welcome.nextTick.rawValue
            if welcome.schedule.epoch != 0 { adopt(welcome.schedule, into: &measurements, send: send) }
        case .schedule(let schedule):
            adopt(schedule, into: &measurements, send: send)
        case .frameBatch(let count):
            catchUp(count, &reader)
        case .event(let kind, _, _):
            if kind == RoomEvent.matchEndKind { ended = true }
        case .pong(let sent, let server, _):
            // Only at match start (`offsetPings` of them): the estimate may allocate.
            if clock.add(sentAt: sent, serverTime: server, receivedAt: now) { clockOffset = clock.offset ?? 0 }
        case .error(let code, _):
            measurements.errors &+= 1
            measurements.lastErrorCode = code
        }
    }

    /// Counts the ticks due by `end` (this host's clock; one period of grace) that never arrived.
    func undeliveredTicks(by clientEnd: UInt64) -> UInt64 {
        let end = serverTime(clientEnd)
        guard let schedule, !ended, end > schedule.epoch + periodNanoseconds,
            let due = schedule.tick(at: end - periodNanoseconds)
        else { return 0 }
        return due.rawValue >= expectedTick ? UInt64(due.rawValue - expectedTick) + 1 : 0
    }

    private mutating func adopt(_ wire: WireSchedule, into measurements: inout LoopMeasurements, send: (UnsafeRawBufferPointer) -> Void) {
        guard let next = wire.tickSchedule else { return }
        if schedule != nil {
            // A re-anchor: the server fell behind and moved its deadlines later. Count the slip in ticks.
            let old = deadline(of: next.baseTick.rawValue)
            measurements.reanchors &+= 1
            if next.epoch > old { measurements.missedTicks &+= (next.epoch - old + periodNanoseconds / 2) / periodNanoseconds }
            schedule = next
            return
        }
        schedule = next
        if measuresClockOffset {
            pingsLeft = Self.offsetPings
            sendPing(at: 0, send: send)
        }
        if isPlayer {
            // The first inputs: ticks base…base+inputDelay at once, then one per frame.
            var pacing = FrameDrivenInputs(firstTick: max(next.baseTick, Tick(expectedTick)), inputDelay: inputDelay)
            let first = pacing.ticksAtStart()
            inputs = pacing
            if let first { sendInputs(first, at: 0, window: nil, into: &measurements, send: send) }
        }
    }

    private mutating func frame(
        _ tick: UInt32, slotCount: Int, _ reader: inout WireReader, at now: UInt64, arrivedAt stamped: UInt64?, inWindow: Bool,
        window: BenchWindow, into measurements: inout LoopMeasurements, send: (UnsafeRawBufferPointer) -> Void
    ) {
        let arrival = stamped ?? now
        if inWindow && hasSchedule {
            let due = deadline(of: tick)
            let serverArrival = serverTime(arrival)
            let latency = serverArrival > due ? serverArrival - due : 0
            let serverNow = serverTime(now)
            measurements.recordLatency(latency, deadline: clientTime(due), arrival: arrival)
            measurements.readLatency.record(serverNow > due ? serverNow - due : 0)
            if stamped != nil { measurements.kernelStampedFrames &+= 1 }
            let second = Int((now - window.startNanoseconds) / 1_000_000_000)
            if second < measurements.latencyBySecond.count { measurements.latencyBySecond[second].record(latency) }
            if latency > periodNanoseconds { measurements.lateFrames &+= 1 }
            if tick > expectedTick { measurements.missedTicks &+= UInt64(tick - expectedTick) }
            if lastArrival != 0, arrival >= lastArrival {
                let gap = arrival - lastArrival
                measurements.jitter.record(gap > periodNanoseconds ? gap - periodNanoseconds : periodNanoseconds - gap)
            }
            measurements.framesReceived &+= 1
            if countsStatuses { countStatuses(slotCount, &reader, into: &measurements) }
        }
        expectedTick = max(expectedTick, tick &+ 1)
        lastArrival = arrival
        if isPlayer && !ended, var pacing = inputs {
            let due = pacing.ticksDue(afterFrameOf: Tick(tick))
            inputs = pacing
            if let due { sendInputs(due, at: now, window: inWindow ? window : nil, into: &measurements, send: send) }
        }
        if pingsLeft > 0 { sendPing(at: now, send: send) }
    }

    /// Sends a PING carrying `now` (this host's clock), for the clock offset.
    private mutating func sendPing(at now: UInt64, send: (UnsafeRawBufferPointer) -> Void) {
        writer.clear()
        ClientMessageEncoder.ping(clientTime: now == 0 ? MonotonicInstant.now().nanoseconds : now, into: &writer)
        writer.bytes.withUnsafeBytes(send)
        pingsLeft -= 1
    }

    private mutating func sendInputs(
        _ ticks: ClosedRange<Tick>, at now: UInt64, window: BenchWindow?, into measurements: inout LoopMeasurements,
        send: (UnsafeRawBufferPointer) -> Void
    ) {
        ticks.forEachTick { tick in
            let next = bot.nextInput()
            payload.withUnsafeMutableBytes { next.encode(into: $0) }
            writer.clear()
            payload.withUnsafeBytes { ClientMessageEncoder.input(tick: tick, slot: slot, payload: $0, into: &writer) }
            writer.bytes.withUnsafeBytes(send)
            if window != nil {
                measurements.inputsSent &+= 1
                measurements.bytesOut &+= UInt64(writer.bytes.count)
                // Its send time is the deadline of tick − inputDelay (the tick then due).
                if tick.rawValue >= inputDelay, serverTime(now) > deadline(of: tick.rawValue - UInt32(inputDelay)) {
                    measurements.inputsBehindSchedule &+= 1
                }
            }
        }
    }

    private func countStatuses(_ slotCount: Int, _ reader: inout WireReader, into measurements: inout LoopMeasurements) {
        for _ in 0..<slotCount {
            guard let slot = try? reader.frameSlot() else { return }
            switch slot.status {
            case .missingFilled: measurements.slotsFilled &+= 1
            case .lateMoved: measurements.slotsLate &+= 1
            case .disconnected: measurements.slotsDisconnected &+= 1
            default: break
            }
            measurements.slotsSeen &+= 1
        }
    }

    private mutating func catchUp(_ count: Int, _ reader: inout WireReader) {
        for _ in 0..<count {
            guard let body = try? reader.frameBodyHead() else { return }
            expectedTick = max(expectedTick, body.tick.rawValue &+ 1)
            for _ in 0..<body.slotCount {
                guard (try? reader.frameSlot()) != nil else { return }
            }
        }
    }
}
