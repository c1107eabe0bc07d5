import LockstepCore
import LockstepReplay
import LockstepSimulation

/// A seeded match of arena bots played through a real `InputCollector`, recorded as a replay.
///
/// Used to produce the golden replays: the same settings always give the same bytes. In chaos mode
/// inputs arrive in a seeded random order, some late (moved or dropped by the late policy), some
/// never (filled by the missing policy), and some players disconnect for a while and come back.
public struct BotMatch: Sendable {
    /// Players (2 to 8).
    public var players: Int
    /// Ticks to play.
    public var ticks: Int
    /// The match seed (also seeds the bots and the chaos).
    public var seed: UInt64
    /// Ticks per second written in the header.
    public var tickRate: Int = 30
    /// Input delay written in the header, in ticks.
    public var inputDelay: Int = 2
    /// Ticks between checkpoints.
    public var checkpointInterval: Int = 60
    /// Whether inputs are late, missing and players disconnect.
    public var chaos: Bool = false
    /// The late-input policy of the room.
    public var latePolicy: LateInputPolicy = .nextOpenTick
    /// The missing-input policy of the room.
    public var missingPolicy: MissingInputPolicy = .repeatLast

    public init(players: Int, ticks: Int, seed: UInt64) {
        self.players = players
        self.ticks = ticks
        self.seed = seed
    }

    /// What happened, besides the replay bytes.
    public struct Summary: Equatable, Sendable {
        public var counters: InputCollectorCounters
        public var finalHash: UInt64
        public var scores: [Int]
    }

    /// Plays the match and returns the replay bytes and a summary.
    ///
    /// - Throws: `ConfigurationError` for settings the room or the simulation refuse.
    public func play() throws(ConfigurationError) -> (bytes: [UInt8], summary: Summary) {
        let rate = try TickRate(hertz: tickRate)
        guard ticks >= 1 else { throw ConfigurationError(field: "ticks", message: "must be at least 1") }
        let configuration = try InputCollectorConfiguration(
            slotCount: players, leadWindow: 16, lateWindow: 8, latePolicy: latePolicy, missingPolicy: missingPolicy)
        var simulation = try ArenaSimulation(players: players, seed: seed)
        var collector = InputCollector(configuration: configuration)
        var bots = (0..<players).map { ArenaBot(seed: seed, slot: $0) }
        var chaosRandom = SeededRandom(seed: seed ^ 0xC4A0_5C4A_05C4_A05C)
        let header = ReplayHeader(
            simulationID: ArenaSimulation.simulationID, simulationVersion: ArenaSimulation.simulationVersion,
            tickRate: UInt16(rate.rawValue), inputDelay: UInt16(inputDelay), seed: seed, payloadLimit: UInt16(configuration.payloadLimit),
            checkpointInterval: UInt32(checkpointInterval), roomID: "bots-\(hex64(seed))",
            players: (0..<players).map { "bot-\($0)" })
        var encoder = ReplayEncoder(header: header)
        var output = encoder.takeOutput()
        encoder.event(ReplayEvent(tick: .zero, kind: .matchStart))

        // Disconnect windows: in chaos mode the last player and every third slot drop for a while.
        var disconnects: [(slot: Int, from: Int, to: Int)] = []
        if chaos {
            for slot in stride(from: players - 1, through: 1, by: -3) {
                let from = chaosRandom.next(in: ticks / 5...ticks / 2)
                disconnects.append((slot, from, from + chaosRandom.next(in: 30...300)))
            }
        }
        // Inputs in flight: (arrival tick, input). Sent `inputDelay` ticks ahead of their tick.
        var inFlight: [(arrival: Int, input: InputFrame)] = []
        var frame = ConfirmedFrame(tick: .zero, reservingSlots: players, payloadBytes: players * 8)
        for now in 0..<ticks {
            for window in disconnects {
                if window.from == now {
                    collector.setConnected(PlayerSlot(UInt8(window.slot)), false)
                    encoder.event(ReplayEvent(tick: Tick(UInt32(now)), kind: .disconnect, slot: PlayerSlot(UInt8(window.slot)), detail: "connection lost"))
                } else if window.to == now {
                    collector.setConnected(PlayerSlot(UInt8(window.slot)), true)
                    encoder.event(ReplayEvent(tick: Tick(UInt32(now)), kind: .reconnect, slot: PlayerSlot(UInt8(window.slot))))
                }
            }
            // Every bot produces its input for tick now + inputDelay.
            let target = now + inputDelay
            for slot in 0..<players {
                let input = bots[slot].nextInput()
                let isDisconnected = disconnects.contains { $0.slot == slot && (now >= $0.from && now < $0.to) }
                if isDisconnected || target >= ticks { continue }
                var arrival = now
                if chaos {
                    if chaosRandom.chance(1, in: 25) { continue }  // lost
                    if chaosRandom.chance(1, in: 12) { arrival = target + chaosRandom.next(in: 1...3) }  // late
                    else { arrival = now + chaosRandom.next(in: 0...inputDelay) }
                }
                inFlight.append((arrival, InputFrame(tick: Tick(UInt32(target)), slot: PlayerSlot(UInt8(slot)), payload: input.payload)))
            }
            // Deliver what has arrived, in a seeded random order.
            var arrived: [InputFrame] = []
            inFlight.removeAll { entry in
                guard entry.arrival <= now else { return false }
                arrived.append(entry.input)
                return true
            }
            for index in stride(from: arrived.count - 1, to: 0, by: -1) {
                arrived.swapAt(index, Int(chaosRandom.next(below: UInt64(index + 1))))
            }
            for input in arrived { _ = try? collector.submit(input) }
            collector.confirm(into: &frame)
            simulation.step(frame)
            do {
                try encoder.append(frame)
            } catch {
                throw ConfigurationError(field: "frame", message: error.description)
            }
            if checkpointInterval > 0 && (now + 1) % checkpointInterval == 0 {
                encoder.checkpoint(ReplayCheckpoint(tick: Tick(UInt32(now)), hash: simulation.hash()))
            }
            if (now + 1) % 30 == 0 {
                encoder.flush()
                output.append(contentsOf: encoder.takeOutput())
            }
        }
        encoder.event(ReplayEvent(tick: Tick(UInt32(ticks)), kind: .matchEnd, detail: "leader slot \(simulation.leader)"))
        let finalHash = simulation.hash()
        encoder.finish(finalHash: finalHash)
        output.append(contentsOf: encoder.takeOutput())
        return (output, Summary(counters: collector.counters, finalHash: finalHash, scores: simulation.players.map { Int($0.score) }))
    }
}
