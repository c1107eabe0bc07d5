import LockstepCore
import LockstepEventLoop

/// One client loop's measurements, written only on that loop's thread (hence `@unchecked
/// Sendable`); the runner reads a `LoopMeasurements` copy, taken on the loop, after the window.
/// Everything is preallocated: recording a frame allocates nothing.
final class LoopRecorder: @unchecked Sendable {
    /// The figures, updated in place.
    var measurements: LoopMeasurements
    /// Bots that have their room's schedule (the match started), readable from any thread.
    let started = AtomicCounter()
    /// Connections whose handshake completed, readable from any thread.
    let connected = AtomicCounter()
    /// Connections that ended (closed by either side or failed), readable from any thread.
    let closed = AtomicCounter()
    /// Frames received in the window, readable from any thread (for the progress line).
    let frames = AtomicCounter()
    /// The bots on this loop (kept alive for the run).
    var bots: [BenchBot] = []
    /// Converts the kernel's receive timestamps to the monotonic clock (refreshed each second).
    var realtimeOffset = RealtimeOffset()

    /// A recorder for a window of `seconds` (the per-second series is sized for it).
    init(seconds: Int) {
        measurements = LoopMeasurements(seconds: seconds)
        bots.reserveCapacity(4096)
    }
}

/// The figures of one loop (or, merged, of a whole run).
struct LoopMeasurements: Sendable {
    /// Tick latency: arrival time of a confirmed frame − its tick's scheduled deadline. Arrival is
    /// the kernel's receive timestamp of the read that brought the frame, or, without one, the
    /// time the bot read it.
    var latency = LatencyHistogram()
    /// The time the bot's loop handed the frame to the bot − the deadline: the tick latency plus
    /// the load generator's own queueing (it serves hundreds of connections on one thread).
    var readLatency = LatencyHistogram()
    /// Frames whose arrival came from a kernel timestamp (the rest use the read time).
    var kernelStampedFrames: UInt64 = 0
    /// Tick latency of the frames under `StallWitness.thresholdNanoseconds`.
    var fastLatency = LatencyHistogram()
    /// The frames at or over the threshold, kept to tell afterwards which of them a machine
    /// stall delayed (room for `slowFrameCapacity`; the rest are counted in `slowFramesDropped`).
    var slowFrames: [SlowFrame] = []
    /// Slow frames that did not fit in `slowFrames`.
    var slowFramesDropped: UInt64 = 0

    /// Slow frames kept per loop (1.5 MiB): enough for every frame of a run that is mostly fast.
    static let slowFrameCapacity = 65_536
    /// Tick latency per second of the window (32 sub-buckets: ≤ 1.6 % error), for p99 over time.
    var latencyBySecond: [LatencyHistogram]
    /// |inter-arrival − period| of consecutive frames on one connection.
    var jitter = LatencyHistogram()
    /// How late the loop's own pacing timer ran: the generator's scheduling delay.
    var timerLateness = LatencyHistogram()
    /// Frames received in the window (every connection).
    var framesReceived: UInt64 = 0
    /// Frames that arrived more than one period after their deadline.
    var lateFrames: UInt64 = 0
    /// Ticks never delivered: gaps in a connection's frame sequence, schedule slips, and ticks due
    /// by the window's end that had not arrived.
    var missedTicks: UInt64 = 0
    /// SCHEDULE re-anchors after the match start (the server fell behind and moved its deadlines).
    var reanchors: UInt64 = 0
    /// Inputs sent in the window.
    var inputsSent: UInt64 = 0
    /// Inputs sent after the tick they should have been sent for was already due (the generator lagging).
    var inputsBehindSchedule: UInt64 = 0
    /// Frame slot statuses seen by one receiver per room: 1 missing (filled by policy).
    var slotsFilled: UInt64 = 0
    /// Status 2: late inputs moved to a later tick.
    var slotsLate: UInt64 = 0
    /// Status 3: player disconnected.
    var slotsDisconnected: UInt64 = 0
    /// Slot entries counted (the denominator of the three above).
    var slotsSeen: UInt64 = 0
    /// WebSocket payload bytes received and sent in the window.
    var bytesIn: UInt64 = 0, bytesOut: UInt64 = 0
    /// ERROR messages received (any time).
    var errors: UInt64 = 0
    /// The last error message's code (0: none).
    var lastErrorCode: UInt16 = 0

    init(seconds: Int) {
        latencyBySecond = (0..<max(1, seconds)).map { _ in LatencyHistogram(subBucketBits: 5) }
        slowFrames.reserveCapacity(Self.slowFrameCapacity)
    }

    /// Records a frame's tick latency, keeping it aside when slow. `deadline` and `arrival` are
    /// on this host's monotonic clock. Allocates nothing.
    @inline(__always)
    mutating func recordLatency(_ latency: UInt64, deadline: UInt64, arrival: UInt64) {
        self.latency.record(latency)
        if latency < StallWitness.thresholdNanoseconds {
            fastLatency.record(latency)
        } else if slowFrames.count < Self.slowFrameCapacity {
            slowFrames.append(SlowFrame(deadline: deadline, arrival: arrival, latency: latency))
        } else {
            slowFramesDropped &+= 1
        }
    }

    /// Adds `other`'s figures to these.
    mutating func merge(_ other: LoopMeasurements) {
        latency.merge(other.latency)
        readLatency.merge(other.readLatency)
        fastLatency.merge(other.fastLatency)
        slowFrames.append(contentsOf: other.slowFrames)
        slowFramesDropped += other.slowFramesDropped
        kernelStampedFrames += other.kernelStampedFrames
        jitter.merge(other.jitter)
        timerLateness.merge(other.timerLateness)
        for index in latencyBySecond.indices where index < other.latencyBySecond.count {
            latencyBySecond[index].merge(other.latencyBySecond[index])
        }
        framesReceived += other.framesReceived
        lateFrames += other.lateFrames
        missedTicks += other.missedTicks
        reanchors += other.reanchors
        inputsSent += other.inputsSent
        inputsBehindSchedule += other.inputsBehindSchedule
        slotsFilled += other.slotsFilled
        slotsLate += other.slotsLate
        slotsDisconnected += other.slotsDisconnected
        slotsSeen += other.slotsSeen
        bytesIn += other.bytesIn
        bytesOut += other.bytesOut
        errors += other.errors
        if other.lastErrorCode != 0 { lastErrorCode = other.lastErrorCode }
    }
}

/// A frame whose tick latency reached the stall threshold: its deadline and arrival on this
/// host's monotonic clock, and its latency as measured (on the server's clock).
struct SlowFrame: Sendable, Equatable {
    var deadline: UInt64
    var arrival: UInt64
    var latency: UInt64
}
