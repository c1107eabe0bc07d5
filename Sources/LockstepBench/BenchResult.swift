import LockstepCore
/// The figures of one run (one room count), as written to the JSON report (schema in docs/BENCHMARKS.md).
/// Times are microseconds unless a name says otherwise.
public struct BenchResult: Codable, Sendable, Equatable {
    /// Latency percentiles, in microseconds.
    public struct Percentiles: Codable, Sendable, Equatable {
        public var count: UInt64
        public var mean: Double
        public var p50: Double
        public var p90: Double
        public var p99: Double
        public var p999: Double
        public var max: Double

        /// The percentiles of `histogram` (nanoseconds) in microseconds.
        public init(_ histogram: LatencyHistogram) {
            func micros(_ q: Double) -> Double { Double(histogram.value(atQuantile: q)) / 1000 }
            count = histogram.count
            mean = histogram.mean / 1000
            p50 = micros(0.5)
            p90 = micros(0.9)
            p99 = micros(0.99)
            p999 = micros(0.999)
            max = Double(histogram.max) / 1000
        }
    }

    /// Ticks and frames.
    public struct Ticks: Codable, Sendable, Equatable {
        /// Frames received in the window, over every connection.
        public var framesReceived: UInt64
        /// Frames received more than one tick period after their deadline.
        public var lateFrames: UInt64
        /// Ticks never delivered (gaps, schedule slips, still missing at the end), over every connection.
        public var missedTicks: UInt64
        /// SCHEDULE re-anchors seen after match start (the server fell behind).
        public var reanchors: UInt64
    }

    /// Inputs, from the bots' side and from the frames' slot statuses.
    public struct Inputs: Codable, Sendable, Equatable {
        /// Inputs sent in the window.
        public var sent: UInt64
        /// Inputs sent after their send time (the tick − inputDelay was already due).
        public var behindSchedule: UInt64
        /// Slot entries seen (one receiver per room).
        public var slotsSeen: UInt64
        /// Status 1: missing, filled by the room's policy.
        public var filled: UInt64
        /// Status 2: late, moved to a later tick.
        public var late: UInt64
        /// Status 3: player disconnected.
        public var disconnected: UInt64
    }

    /// The server process (`null` fields when its PID is unknown).
    public struct Server: Codable, Sendable, Equatable {
        public var pid: Int32?
        /// CPU seconds (user + system) spent in the window.
        public var cpuSeconds: Double?
        /// CPU in the window as a percentage of one core.
        public var cpuPercent: Double?
        /// Server CPU per connection per tick, microseconds (the C floor: about 15).
        public var cpuPerConnectionTickMicros: Double?
        /// RSS before any room was created, bytes.
        public var rssIdleBytes: UInt64?
        /// RSS at the end of the window, bytes.
        public var rssBytes: UInt64?
        /// (RSS − idle RSS) / connections, bytes.
        public var memoryPerConnectionBytes: Double?
        /// The server's event-loop wake-ups per second in the window, all loops (the growth of
        /// its `lockstep_loop_iterations_total` on `/metrics`): what `--phase-slots` and the
        /// wake-up windows cut, counted rather than timed, so a busy host does not blur it.
        public var wakeupsPerSecond: Double?
    }

    /// The load generator (this process).
    public struct Generator: Codable, Sendable, Equatable {
        /// Client event loops.
        public var loops: Int
        /// CPU seconds in the window (getrusage, every thread of this process).
        public var cpuSeconds: Double
        /// As a percentage of one core.
        public var cpuPercent: Double
        /// How late its 1 ms pacing timers ran (the generator's own scheduling delay).
        public var timerLateness: Percentiles
        /// True when the generator could not keep up (p99 timer lateness over a tenth of a period,
        /// or CPU over 90 % of its loops): the latency figures then measure the client too.
        public var fellBehind: Bool
    }

    /// The PING/PONG clock offsets (`null` when the clocks were used as they are, on one host).
    public struct ClockOffsets: Codable, Sendable, Equatable {
        /// Connections with at least one PONG.
        public var connections: Int
        /// The smallest round trip seen, microseconds.
        public var minRoundTripMicros: Double
        /// The largest round trip among each connection's best, microseconds (half of it bounds that offset's error).
        public var maxBestRoundTripMicros: Double
        /// The offsets (server − client), microseconds: smallest and largest over the connections.
        public var minOffsetMicros: Double, maxOffsetMicros: Double
    }

    /// What the stall witness saw during the window (`StallWitness`), and the latency without the
    /// frames that machine-wide pauses delayed.
    public struct MachineStalls: Codable, Sendable, Equatable {
        /// CPUs watched, one witness thread each.
        public var cpus: Int
        /// Whether the witnesses ran at real-time priority (if not, a busy CPU can delay them too).
        public var realtime: Bool
        /// Lateness from which a witness's wake-up counts as a stall, and a frame as slow, µs.
        public var thresholdMicros: Double
        /// Stalls seen by each CPU's witness.
        public var stallsPerCPU: [Int]
        /// Intervals in which every CPU was stalled at once (the machine paused): how many, their
        /// total and the longest, milliseconds.
        public var count: Int
        public var totalMillis: Double
        public var longestMillis: Double
        /// The longest machine stall starting in each second of the window, µs (0: none).
        public var longestBySecond: [Double]
        /// Frames with a latency at or over the threshold.
        public var slowFrames: UInt64
        /// Slow frames whose way from deadline to arrival crossed a machine stall.
        public var framesDelayedByStalls: UInt64
        /// Slow frames not kept for classification (over capacity); when nonzero,
        /// `latencyOutsideStalls` is absent.
        public var slowFramesUnclassified: UInt64
        /// Tick latency of every frame but those delayed by a machine stall.
        public var latencyOutsideStalls: Percentiles?
        /// Slow frames whose way from deadline to arrival crossed a stall of any one CPU (the
        /// host descheduling one vCPU stalls whatever ran on it: the server, or the bots).
        public var framesDelayedByAnyCPUStall: UInt64?
        /// Tick latency of every frame but those that crossed a stall of any CPU.
        public var latencyOutsideAnyCPUStall: Percentiles?
    }

    /// Rooms in this run.
    public var rooms: Int
    /// Players per room.
    public var players: Int
    /// Spectators per room.
    public var spectators: Int
    /// Connections opened (rooms × (players + spectators)).
    public var connections: Int
    /// Connections whose handshake completed.
    public var connected: Int
    /// Connections that had the room's schedule when measuring started.
    public var started: Int
    /// Tick rate, Hz.
    public var tickRate: Int
    /// The measured window, seconds.
    public var durationSeconds: Double
    /// Tick latency: the frame's arrival at the client host's socket (the kernel's receive
    /// timestamp; the bot's read time where there is none) − the tick's scheduled deadline.
    public var latency: Percentiles
    /// The time each bot's loop got to the frame − the deadline: `latency` plus the load
    /// generator's own queueing (absent in reports from before it was measured).
    public var readLatency: Percentiles?
    /// Machine-wide pauses seen by the stall witness (absent with `--no-stall-witness`).
    public var machineStalls: MachineStalls?
    /// The share of measured frames whose arrival is a kernel timestamp (0…1).
    public var kernelTimestampedFraction: Double?
    /// The latency CDF: `[microseconds, fraction at or below]` points.
    public var latencyCDF: [[Double]]
    /// p99 latency for each second of the window, microseconds.
    public var p99BySecond: [Double]
    /// The clock offsets applied, when measured with PING/PONG.
    public var clockOffsets: ClockOffsets?
    /// |frame inter-arrival − period| on each connection.
    public var jitter: Percentiles
    public var ticks: Ticks
    public var inputs: Inputs
    public var server: Server
    public var generator: Generator
    /// WebSocket payload bytes per second received by the bots (server → clients).
    public var bytesInPerSecond: Double
    /// WebSocket payload bytes per second sent by the bots (clients → server).
    public var bytesOutPerSecond: Double
    /// CPU busy on the whole machine during the window, % of one core (all CPUs summed).
    public var machineCPUPercent: Double?
    /// Machine CPU used by neither the server nor the generator (other processes: builds…),
    /// % of one core. Figures measured beside a busy neighbour are not the server's own.
    public var otherCPUPercent: Double?
    /// CPU stolen by the hypervisor during the window, % of one core.
    public var stealPercent: Double?
    /// ERROR messages the bots received.
    public var errors: UInt64
    /// Connections that ended before the run did.
    public var closedEarly: Int
    /// Whether the run holds the budget: every connection started, p99 within budget, no missed tick.
    public var passed: Bool
}
