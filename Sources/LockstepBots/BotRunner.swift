import LockstepCore
import LockstepEventLoop
import LockstepProtocol
import LockstepSimulation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif
import LockstepClient
import LockstepClientEventLoop

/// Plays arena matches with seeded bots through a real server: `lockstep bots`, the demo, the tests.
///
/// Each bot is a `LockstepClient<ArenaSimulation>` with prediction and rollback, polled by a timer
/// on a client event loop (no thread per bot), sending `ArenaBot` inputs seeded by room and slot.
///
/// `Sendable` as checked by the compiler: the list of bots is behind a mutex; each bot's client is
/// confined to its loop and only touched there (through `loop.execute`, whose socket calls check
/// it in debug builds); the finished count is atomic, and `wait` sleeps on a condition its bots
/// signal as they finish, not on a timer.
public final class BotRunner: Sendable {
    /// What one bot saw.
    public struct BotReport: Sendable, Equatable {
        public var room: String
        public var slot: Int
        public var ticks: Int
        public var finalHash: UInt64
        public var rollbacks: UInt64
        public var maxRollbackDepth: Int
        public var resimulatedTicks: UInt64
        public var desyncs: Int
        /// Reconnects that succeeded.
        public var reconnects: Int
        public var inputDelay: Int
        public var endReason: MatchEndReason?
        /// Why the bot stopped before its match ended (the server died, refused it, …).
        public var failure: ClientFailure?
        /// The first tick the sync test caught re-simulating to another hash (with `syncTestDistance`).
        public var syncTestMismatch: Tick?
    }

    /// How to run.
    public struct Options: Sendable {
        public var host = "127.0.0.1"
        public var port: Int
        public var adminKey: String
        public var rooms = 1
        public var players = 4
        public var tickRate = 30
        public var ticks = 900
        public var seed: UInt64 = 1
        public var latencyNanos: UInt64 = 0
        public var jitterNanos: UInt64 = 0
        public var connectionLossPerMinute: Double = 0
        /// How each bot reconnects; once its attempts are spent the bot gives up (a failure).
        public var reconnectPolicy = ReconnectPolicy()
        public var pollIntervalNanos: UInt64 = 2_000_000
        /// Each bot runs the sync test over this many ticks (0: off); see `ClientConfiguration`.
        public var syncTestDistance = 0
        public var loops = 1
        /// Give up waiting for the matches after this long (ns).
        public var timeoutNanos: UInt64 = 600_000_000_000

        public init(port: Int, adminKey: String) {
            self.port = port
            self.adminKey = adminKey
        }
    }

    public let options: Options
    private let group: EventLoopGroup
    private struct Bot {
        let room: String
        let slot: Int
        let client: LockstepClient<ArenaSimulation>
        let loop: EventLoop
    }

    private let bots = Mutex<[Bot]>([])
    private let finished = Atomic<Int>(0)
    /// Signalled when a bot finishes, for `wait`.
    private let botFinished = ConditionSignal()

    public init(options: Options) throws {
        self.options = options
        group = try EventLoopGroup(count: max(1, options.loops))
    }

    /// Creates the rooms through the admin API and starts every bot.
    public func start() throws {
        let admin = AdminClient(host: options.host, port: options.port, adminKey: options.adminKey)
        for index in 0..<options.rooms {
            let roomSeed = options.seed &+ UInt64(index)
            let room = try admin.createRoom([
                "players": options.players, "tickRate": options.tickRate, "maxTicks": options.ticks, "seed": roomSeed,
                "hashInterval": options.tickRate,
            ])
            // The room's node: in a cluster, not necessarily the one whose admin API created it.
            let play = try? PlayURL(parsing: room.url)
            for slot in 0..<options.players {
                try addBot(room: room.roomID, slot: slot, token: room.tokens[slot], seed: roomSeed, host: play?.host, port: play?.port)
            }
        }
    }

    /// Starts one bot per token in the room at `url` (rooms made elsewhere: `lockstep bots --url
    /// --token`). Bot `n` plays the inputs of slot `n` seeded with the options' seed.
    public func join(url: PlayURL, tokens: [String]) throws {
        for (index, token) in tokens.enumerated() {
            try addBot(room: url.room ?? "joined", slot: index, token: token, seed: options.seed, host: url.host, port: url.port)
        }
    }

    /// Starts one bot with a given token (to join rooms made elsewhere).
    public func addBot(room: String, slot: Int, token: String, seed: UInt64, host: String? = nil, port: Int? = nil) throws {
        var configuration = ClientConfiguration(host: host ?? options.host, port: port ?? options.port, room: room, token: token)
        configuration.syncTestDistance = options.syncTestDistance
        configuration.addedLatencyNanos = options.latencyNanos
        configuration.addedJitterNanos = options.jitterNanos
        configuration.connectionLossPerMinute = options.connectionLossPerMinute
        configuration.reconnectPolicy = options.reconnectPolicy
        configuration.seed = seed &* 31 &+ UInt64(slot)
        let loop = group.next()
        let client = LockstepClient<ArenaSimulation>(configuration: configuration, loop: loop) { players, seed in
            try ArenaSimulation(players: players, seed: seed)
        }
        client.inputSource = Self.inputs(seed: seed, slot: slot)
        bots.withLock { $0.append(Bot(room: room, slot: slot, client: client, loop: loop)) }
        let interval = Duration.nanoseconds(Int64(options.pollIntervalNanos))
        loop.execute { [self] in
            client.connect()
            loop.scheduleRepeatingTimer(first: loop.now + interval, interval: interval) { firing in
                client.poll()
                if client.matchEnd != nil || client.failure != nil {
                    loop.cancelTimer(firing.handle)
                    self.finished.add(1, ordering: .releasing)
                    self.botFinished.signal()
                }
            }
        }
    }

    /// A bot's input for each tick: a pure function of (seed, slot, tick), so any run replays it.
    public static func inputs(seed: UInt64, slot: Int) -> (Tick) -> [UInt8] {
        { tick in
            var bot = ArenaBot(seed: seed &+ UInt64(tick.rawValue / 15), slot: slot)
            var input = bot.nextInput()
            input.aim = input.aim?.rotated(by: Int16(truncatingIfNeeded: Int(tick.rawValue % 15) * 700))
            input.fire = (tick.rawValue &* 2_654_435_761 ^ UInt32(slot)) % 3 == 0
            return input.payload
        }
    }

    /// Direct access to a bot's client (loop-confined: read it after `wait`, or on its loop).
    public func client(room: String, slot: Int) -> LockstepClient<ArenaSimulation>? {
        bots.withLock { bots in bots.first { $0.room == room && $0.slot == slot }?.client }
    }

    /// Every room id, in creation order.
    public var roomIDs: [String] {
        var seen: [String] = []
        for bot in bots.withLock({ $0 }) where !seen.contains(bot.room) { seen.append(bot.room) }
        return seen
    }

    /// Waits until every bot's match has ended or the bot failed for good (or the timeout);
    /// returns whether all stopped. A report's `failure` says which bots failed.
    public func wait(progress: ((Int, Int) -> Void)? = nil) -> Bool {
        let deadline = MonotonicInstant.now() + .nanoseconds(Int64(clamping: options.timeoutNanos))
        let total = bots.withLock { $0.count }
        var last = -1
        while true {
            let count = finished.load(ordering: .acquiring)
            if count != last {
                progress?(count, total)
                last = count
            }
            if count >= total { return true }
            // Wakes when a bot finishes (or at the deadline): no polling.
            guard botFinished.wait(until: deadline, for: { finished.load(ordering: .acquiring) != count }) else { return false }
        }
    }

    /// One report per bot (read on each bot's loop so nothing races).
    public func reports() -> [BotReport] {
        bots.withLock { $0 }.map { bot in
            let result = Mutex<BotReport?>(nil)
            let client = bot.client
            let room = bot.room
            let slot = bot.slot
            let read: @Sendable () -> Void = {
                let stats = client.session?.statistics ?? RollbackStatistics()
                result.withLock {
                    $0 = BotReport(
                        room: room, slot: client.welcome?.slot.map { $0.index } ?? slot, ticks: Int(client.session?.confirmedNext.rawValue ?? 0),
                        finalHash: client.session?.confirmed.hash() ?? 0, rollbacks: stats.rollbacks, maxRollbackDepth: stats.maxDepth,
                        resimulatedTicks: stats.resimulatedTicks, desyncs: client.desyncs.count, reconnects: client.reconnects,
                        inputDelay: client.inputDelay.delay, endReason: client.matchEnd, failure: client.failure,
                        syncTestMismatch: client.core.syncTestMismatch)
                }
            }
            let done = ConditionSignal()
            bot.loop.execute {
                read()
                done.signal()
            }
            // A loop that stopped drops its tasks: after 30 s the bot is reported as having played nothing.
            _ = done.wait(until: MonotonicInstant.now() + .seconds(30)) { result.withLock { $0 } != nil }
            return result.withLock { $0 } ?? BotReport(
                room: room, slot: slot, ticks: 0, finalHash: 0, rollbacks: 0, maxRollbackDepth: 0, resimulatedTicks: 0, desyncs: 0,
                reconnects: 0, inputDelay: 0, endReason: nil, failure: nil, syncTestMismatch: nil)
        }
    }

    /// Closes every bot and stops the loops.
    public func stop() {
        for bot in bots.withLock({ $0 }) { bot.client.close() }
        usleep(50_000)
        group.shutdown()
    }
}
