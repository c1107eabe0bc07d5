import LockstepCore

/// Runs a game's simulation ahead of the server on predicted inputs, and rolls back when a
/// confirmed frame differs from what was predicted.
///
/// Two states are kept: the **confirmed** state (every confirmed frame applied, nothing else: its
/// hash is what the client reports and what the replay verifier computes) and the **predicted**
/// head, `head − confirmedNext` ticks ahead of it on predicted frames. A confirmed frame equal to
/// its prediction costs nothing; one that differs marks the head dirty, and the next `advance`
/// restores the head from the confirmed state (the rollback) and re-simulates the predicted ticks.
/// Prediction never runs more than `maxPrediction` ticks ahead, so a lagging peer makes this client
/// wait rather than roll back deeper every tick. Confirmed frames are kept in a `RollbackBuffer`
/// with snapshots of the confirmed state, for `rewind(to:)`.
public final class PredictionSession<Simulation: DeterministicSimulation> {
    /// The slot this client plays, or `nil` for a spectator.
    public let localSlot: Int?
    /// The number of slots.
    public let slotCount: Int
    /// The most ticks the head may run ahead of the last confirmed tick.
    public var maxPrediction: Int
    /// How remote inputs are guessed.
    public var predictor: any InputPredictor
    /// Counters.
    public private(set) var statistics = RollbackStatistics()

    /// The state after every confirmed frame.
    public private(set) var confirmed: Simulation
    /// The next tick to be confirmed.
    public private(set) var confirmedNext: Tick
    /// The predicted state: every tick before `head` applied.
    public private(set) var predicted: Simulation
    /// The first tick the predicted state has not applied.
    public private(set) var head: Tick
    /// Confirmed frames with periodic snapshots of the confirmed state.
    public private(set) var history: RollbackBuffer<ConfirmedFrame, Simulation.Snapshot>

    private var predictedFrames: [ConfirmedFrame]
    private var localInputs: [[UInt8]?]
    private var lastPayloads: [[UInt8]]
    private var lastStatuses: [InputStatus]
    private var dirty = false

    /// A session starting from `initial` at tick `start`.
    ///
    /// - Parameters:
    ///   - historyCapacity: confirmed frames kept (with a snapshot every `snapshotInterval`).
    public init(
        initial: Simulation, slotCount: Int, localSlot: Int?, start: Tick = .zero, maxPrediction: Int = 8,
        predictor: any InputPredictor = RepeatLastInputPredictor(), historyCapacity: Int = 600, snapshotInterval: Int = 30
    ) throws(ConfigurationError) {
        self.localSlot = localSlot
        self.slotCount = slotCount
        self.maxPrediction = max(0, maxPrediction)
        self.predictor = predictor
        confirmed = initial
        predicted = initial
        confirmedNext = start
        head = start
        history = try RollbackBuffer(capacity: historyCapacity, snapshotInterval: snapshotInterval, firstTick: start)
        let window = self.maxPrediction + 1
        predictedFrames = Array(repeating: ConfirmedFrame(tick: .zero), count: window)
        localInputs = Array(repeating: nil, count: 256)
        lastPayloads = Array(repeating: [], count: slotCount)
        lastStatuses = Array(repeating: .missingFilled, count: slotCount)
    }

    /// Records this client's own input for `tick` (what it sent), used in its predictions.
    public func setLocalInput(_ payload: [UInt8], for tick: Tick) {
        localInputs[Int(tick.rawValue) % localInputs.count] = payload
    }

    /// Applies a confirmed frame. Frames must come in tick order; an older one is ignored.
    ///
    /// - Returns: `false` when the frame is out of order (a gap: the caller should resynchronise).
    @discardableResult
    public func confirm(_ frame: ConfirmedFrame) -> Bool {
        guard frame.tick >= confirmedNext else { return true }
        guard frame.tick == confirmedNext, frame.slotCount == slotCount else { return false }
        _ = try? history.storeSnapshot(confirmed.snapshot(), at: frame.tick)
        confirmed.step(frame)
        try? history.append(frame, at: frame.tick)
        for slot in 0..<slotCount {
            lastPayloads[slot] = Array(frame.payload(of: slot))
            lastStatuses[slot] = frame.status(of: slot)
        }
        if frame.tick < head {
            let predictedFrame = predictedFrames[Int(frame.tick.rawValue) % predictedFrames.count]
            if predictedFrame.tick != frame.tick || !(0..<slotCount).allSatisfy({ predictedFrame.slotEquals($0, in: frame) }) {
                dirty = true
            }
        }
        confirmedNext = frame.tick.next
        if head <= confirmedNext {
            head = confirmedNext
            predicted = confirmed
            dirty = false
        }
        return true
    }

    /// Simulates the head up to (not including) `target`, re-simulating first if a confirmed frame
    /// contradicted a prediction. Stops at the prediction cap.
    public func advance(to target: Tick) {
        if dirty {
            dirty = false
            let depth = confirmedNext.distance(to: head)
            predicted = confirmed
            var tick = confirmedNext
            while tick < head {
                let frame = predictFrame(tick)
                predicted.step(frame)
                predictedFrames[Int(tick.rawValue) % predictedFrames.count] = frame
                tick = tick.next
            }
            statistics.rollbacks += 1
            statistics.maxDepth = max(statistics.maxDepth, depth)
            statistics.resimulatedTicks += UInt64(depth)
        }
        while head < target {
            guard confirmedNext.distance(to: head) < maxPrediction else {
                statistics.stalls += 1
                return
            }
            let frame = predictFrame(head)
            predicted.step(frame)
            predictedFrames[Int(head.rawValue) % predictedFrames.count] = frame
            statistics.predictedTicks += 1
            head = head.next
        }
    }

    /// The frame the session assumes for `tick`: its own input where it has one, the predictor's
    /// guess for the others (with their last confirmed status).
    func predictFrame(_ tick: Tick) -> ConfirmedFrame {
        var frame = ConfirmedFrame(tick: tick, reservingSlots: slotCount)
        for slot in 0..<slotCount {
            if slot == localSlot, let own = localInputs[Int(tick.rawValue) % localInputs.count] {
                frame.append(status: .onTime, payload: own)
            } else {
                let guess = predictor.predict(slot: slot, tick: tick, lastConfirmed: lastPayloads[slot][...], lastStatus: lastStatuses[slot])
                frame.append(status: lastStatuses[slot] == .disconnected ? .disconnected : .onTime, payload: guess)
            }
        }
        return frame
    }

    /// The nearest confirmed snapshot at or before `tick` and the confirmed frames after it.
    public func rewind(to tick: Tick) throws(RollbackBufferError) -> Rewind<ConfirmedFrame, Simulation.Snapshot> {
        try history.rewind(to: tick)
    }
}
