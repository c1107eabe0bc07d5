import LockstepEventLoop
import LockstepSimulation

/// One bot's protocol state as a value: reads the server's messages straight from the received
/// bytes (FRAME headers are parsed in place, nothing is decoded into objects), records what it
/// measures, and writes the next INPUT into a buffer it owns. Allocation-free once initialised;
/// `BenchBot` does the I/O.
struct BotSession {
    /// Whether this connection plays (sends inputs) or only watches.
    let isPlayer: Bool
    /// Whether this connection counts frame slot statuses (one receiver per room, so each frame counts once).
    let countsStatuses: Bool
    private var slot: UInt8 = 0
    private var inputDelay: UInt32 = 0
    private var tickRate: UInt64 = 30
    private var base: UInt32 = 0
    private var epoch: UInt64 = 0
    /// Whether the room's schedule is known (the match started).
    private(set) var hasSchedule = false
    /// Whether the match ended.
    private(set) var ended = false
    /// The next tick whose frame is expected.
    private(set) var expectedTick: UInt32 = 0
    private var lastArrival: UInt64 = 0
    private var nextInputTick: UInt32 = 0
    private var bot: ArenaBot
    private var input: [UInt8] = [UInt8](repeating: 0, count: 6 + ArenaInput.encodedSize)
    private var ping: [UInt8] = [UInt8](repeating: 0, count: 9)
    /// Whether to estimate the server's clock offset with PING/PONG (a server on another host).
    let measuresClockOffset: Bool
    /// Server clock − client clock, ns, from the PONG with the smallest round trip (0 on one host).
    private(set) var clockOffset: Int64 = 0
    /// The smallest PING round trip seen, ns (`UInt64.max` before any PONG).
    private(set) var bestRoundTrip: UInt64 = .max
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

    /// The tick period in nanoseconds.
    var periodNanoseconds: UInt64 { 1_000_000_000 / tickRate }

    /// Tick `tick`'s deadline on the server's clock: `E + floor((tick − B) × 10⁹ / R)`.
    @inline(__always)
    func deadline(of tick: UInt32) -> UInt64 {
        let ticks = Int64(tick) - Int64(base)
        let offset = ticks * 1_000_000_000 / Int64(tickRate)
        return UInt64(max(0, Int64(bitPattern: epoch) + offset))
    }

    /// Handles one server message read at `now` (monotonic ns) that reached the host's socket at
    /// `arrival` (the kernel's timestamp, `nil` when unknown): records into `measurements` when
    /// `now` is inside `window`, and passes each INPUT to send to `send`.
    mutating func receive(
        _ bytes: UnsafeRawBufferPointer, at now: UInt64, arrivedAt arrival: UInt64? = nil, window: BenchWindow,
        into measurements: inout LoopMeasurements, send: (UnsafeRawBufferPointer) -> Void
    ) {
        // Not `bytes.first`: the generic Collection path allocates in unoptimised builds.
        guard bytes.count > 0 else { return }
        let type = bytes[0]
        let inWindow = window.contains(now)
        if inWindow { measurements.bytesIn &+= UInt64(bytes.count) }
        switch type {
        case 0x82 where bytes.count >= 6:
            frame(bytes, at: now, arrivedAt: arrival, inWindow: inWindow, window: window, into: &measurements, send: send)
        case 0x81 where bytes.count >= 53:
            slot = bytes[4]
            tickRate = UInt64(max(1, read(UInt16.self, bytes, at: 6)))
            inputDelay = UInt32(read(UInt16.self, bytes, at: 8))
            expectedTick = read(UInt32.self, bytes, at: 29)
            let epoch = read(UInt64.self, bytes, at: 37)
            if epoch != 0 {
                schedule(base: read(UInt32.self, bytes, at: 33), epoch: epoch, rate: tickRate, into: &measurements, send: send)
            }
        case 0x87 where bytes.count >= 15:
            let rate = UInt64(max(1, read(UInt16.self, bytes, at: 13)))
            schedule(base: read(UInt32.self, bytes, at: 1), epoch: read(UInt64.self, bytes, at: 5), rate: rate, into: &measurements, send: send)
        case 0x83 where bytes.count >= 3:
            catchUp(bytes)
        case 0x85 where bytes.count >= 2:
            if bytes[1] == 7 { ended = true }
        case 0x84 where bytes.count >= 21:
            // PONG: offset ≈ s − (t0 + rtt / 2), keeping the sample with the smallest round trip.
            let sent = read(UInt64.self, bytes, at: 1)
            let server = read(UInt64.self, bytes, at: 9)
            if now >= sent, now - sent < bestRoundTrip {
                bestRoundTrip = now - sent
                clockOffset = Int64(bitPattern: server) &- Int64(bitPattern: sent &+ bestRoundTrip / 2)
            }
        case 0x86 where bytes.count >= 3:
            measurements.errors &+= 1
            measurements.lastErrorCode = read(UInt16.self, bytes, at: 1)
        default:
            return
        }
    }

    /// Counts the ticks due by `end` (this host's clock; one period of grace) that never arrived.
    func undeliveredTicks(by clientEnd: UInt64) -> UInt64 {
        let end = serverTime(clientEnd)
        guard hasSchedule, !ended, end > epoch + periodNanoseconds else { return 0 }
        let due = UInt64(base) + (end - periodNanoseconds - epoch) * tickRate / 1_000_000_000
        return due >= UInt64(expectedTick) ? due - UInt64(expectedTick) + 1 : 0
    }

    private mutating func schedule(
        base newBase: UInt32, epoch newEpoch: UInt64, rate: UInt64, into measurements: inout LoopMeasurements,
        send: (UnsafeRawBufferPointer) -> Void
    ) {
        if hasSchedule {
            // A re-anchor: the server fell behind and moved its deadlines later. Count the slip in ticks.
            let old = deadline(of: newBase)
            measurements.reanchors &+= 1
            if newEpoch > old { measurements.missedTicks &+= (newEpoch - old + periodNanoseconds / 2) / periodNanoseconds }
        }
        let first = !hasSchedule
        base = newBase
        epoch = newEpoch
        tickRate = rate
        hasSchedule = true
        if first && measuresClockOffset {
            pingsLeft = Self.offsetPings
            sendPing(at: 0, send: send)
        }
        if first && isPlayer {
            // The first inputs: ticks base…base+inputDelay at once, then one per frame.
            nextInputTick = max(newBase, expectedTick)
            sendInputs(through: nextInputTick &+ inputDelay, at: 0, window: nil, into: &measurements, send: send)
        }
    }

    private mutating func frame(
        _ bytes: UnsafeRawBufferPointer, at now: UInt64, arrivedAt stamped: UInt64?, inWindow: Bool,
        window: BenchWindow, into measurements: inout LoopMeasurements, send: (UnsafeRawBufferPointer) -> Void
    ) {
        let tick = read(UInt32.self, bytes, at: 1)
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
            if countsStatuses { countStatuses(bytes, into: &measurements) }
        }
        expectedTick = max(expectedTick, tick &+ 1)
        lastArrival = arrival
        if isPlayer && hasSchedule && !ended {
            sendInputs(through: tick &+ 1 &+ inputDelay, at: now, window: inWindow ? window : nil, into: &measurements, send: send)
        }
        if pingsLeft > 0 { sendPing(at: now, send: send) }
    }

    /// Sends a PING carrying `now` (this host's clock), for the clock offset.
    private mutating func sendPing(at now: UInt64, send: (UnsafeRawBufferPointer) -> Void) {
        let time = now == 0 ? MonotonicInstant.now().nanoseconds : now
        ping.withUnsafeMutableBytes { buffer in
            buffer[0] = 0x04
            buffer.storeBytes(of: time.littleEndian, toByteOffset: 1, as: UInt64.self)
            send(UnsafeRawBufferPointer(buffer))
        }
        pingsLeft -= 1
    }

    private mutating func sendInputs(
        through last: UInt32, at now: UInt64, window: BenchWindow?, into measurements: inout LoopMeasurements,
        send: (UnsafeRawBufferPointer) -> Void
    ) {
        while nextInputTick <= last {
            let tick = nextInputTick
            let next = bot.nextInput()
            let aim = next.aim?.rawValue ?? 0
            input.withUnsafeMutableBytes { buffer in
                buffer[0] = 0x02
                buffer.storeBytes(of: tick.littleEndian, toByteOffset: 1, as: UInt32.self)
                buffer[5] = slot
                buffer[6] = UInt8(bitPattern: next.moveX)
                buffer[7] = UInt8(bitPattern: next.moveY)
                buffer[8] = UInt8(truncatingIfNeeded: aim)
                buffer[9] = UInt8(truncatingIfNeeded: aim >> 8)
                buffer[10] = next.fire ? 1 : 0
                send(UnsafeRawBufferPointer(buffer))
            }
            if window != nil {
                measurements.inputsSent &+= 1
                measurements.bytesOut &+= UInt64(input.count)
                // Its send time is the deadline of tick − inputDelay (the tick then due).
                if tick >= inputDelay, serverTime(now) > deadline(of: tick - inputDelay) {
                    measurements.inputsBehindSchedule &+= 1
                }
            }
            nextInputTick &+= 1
        }
    }

    private func countStatuses(_ bytes: UnsafeRawBufferPointer, into measurements: inout LoopMeasurements) {
        let slots = Int(bytes[5])
        var offset = 6
        for _ in 0..<slots {
            guard offset + 3 <= bytes.count else { return }
            switch bytes[offset] {
            case 1: measurements.slotsFilled &+= 1
            case 2: measurements.slotsLate &+= 1
            case 3: measurements.slotsDisconnected &+= 1
            default: break
            }
            measurements.slotsSeen &+= 1
            offset += 3 + Int(read(UInt16.self, bytes, at: offset + 1))
        }
    }

    private mutating func catchUp(_ bytes: UnsafeRawBufferPointer) {
        let count = Int(read(UInt16.self, bytes, at: 1))
        var offset = 3
        for _ in 0..<count {
            guard offset + 5 <= bytes.count else { return }
            let tick = read(UInt32.self, bytes, at: offset)
            expectedTick = max(expectedTick, tick &+ 1)
            let slots = Int(bytes[offset + 4])
            offset += 5
            for _ in 0..<slots {
                guard offset + 3 <= bytes.count else { return }
                offset += 3 + Int(read(UInt16.self, bytes, at: offset + 1))
            }
        }
    }

    @inline(__always)
    private func read<T: FixedWidthInteger>(_ type: T.Type, _ bytes: UnsafeRawBufferPointer, at offset: Int) -> T {
        T(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: T.self))
    }
}
