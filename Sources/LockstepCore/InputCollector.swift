/// Collects one room's inputs by (tick, slot) in any arrival order and confirms one frame per tick.
///
/// Storage is a ring of `leadWindow` ticks × `slotCount` cells, each with room for `payloadLimit`
/// bytes, allocated once: accepting an input is O(1) (O(lead window) at worst for a late input under
/// `nextOpenTick`) and copies the payload into the ring; confirming refills a caller-owned
/// `ConfirmedFrame`. Nothing allocates per input or per tick once the frame has grown to size.
public struct InputCollector: Sendable {
    /// The settings this collector was built with.
    public let configuration: InputCollectorConfiguration
    /// The next tick `confirm(into:)` will confirm.
    public private(set) var nextTick: Tick
    /// Counters for every case.
    public private(set) var counters = InputCollectorCounters()

    private enum Cell: UInt8 {
        case empty = 0, onTime, lateMoved
    }

    private var cells: [Cell]
    private var lengths: [UInt16]
    private var bytes: [UInt8]
    private var lastLengths: [UInt16]
    private var lastBytes: [UInt8]
    private var connected: [Bool]
    /// The ticks each slot sent an input for, as `tick + 1` (0: none), in a ring covering the
    /// late window and the lead window: every tick an input can still be offered for. Kept after
    /// confirmation, so an input re-sent for a confirmed tick is a duplicate, not a new late input.
    private var receivedTicks: [UInt64]

    /// A collector whose first confirmed tick is `firstTick`.
    public init(configuration: InputCollectorConfiguration, firstTick: Tick = .zero) {
        self.configuration = configuration
        nextTick = firstTick
        let cellCount = configuration.leadWindow * configuration.slotCount
        cells = Array(repeating: .empty, count: cellCount)
        lengths = Array(repeating: 0, count: cellCount)
        bytes = Array(repeating: 0, count: cellCount * configuration.payloadLimit)
        lastLengths = Array(repeating: 0, count: configuration.slotCount)
        lastBytes = Array(repeating: 0, count: configuration.slotCount * configuration.payloadLimit)
        connected = Array(repeating: true, count: configuration.slotCount)
        receivedTicks = Array(repeating: 0, count: (configuration.leadWindow + configuration.lateWindow) * configuration.slotCount)
    }

    /// The first tick beyond the lead window: inputs must be for ticks before it.
    public var leadLimit: Tick { nextTick.advanced(by: configuration.leadWindow) }

    /// Marks a slot connected or disconnected. A disconnected slot is filled with the neutral input
    /// and marked `InputStatus.disconnected` until it reconnects; inputs it still sends are accepted.
    public mutating func setConnected(_ slot: PlayerSlot, _ isConnected: Bool) {
        guard slot.index < configuration.slotCount else { return }
        connected[slot.index] = isConnected
    }

    /// Whether `slot` is currently marked connected.
    public func isConnected(_ slot: PlayerSlot) -> Bool {
        slot.index < configuration.slotCount && connected[slot.index]
    }

    /// Accepts `frame`'s input.
    ///
    /// - Returns: the tick the input will be confirmed at (later than `frame.tick` when moved).
    /// - Throws: `InputRejection` saying why it was not accepted; nothing changes then.
    @discardableResult
    public mutating func submit(_ frame: InputFrame) throws(InputRejection) -> Tick {
        let outcome = frame.payload.withUnsafeBytes { raw -> Result<Tick, InputRejection> in
            do throws(InputRejection) {
                return .success(try submit(tick: frame.tick, slot: frame.slot, payload: raw))
            } catch {
                return .failure(error)
            }
        }
        return try outcome.get()
    }

    /// Accepts an input given as raw bytes (the allocation-free path used by the server).
    ///
    /// - Returns: the tick the input will be confirmed at.
    /// - Throws: `InputRejection` saying why it was not accepted; nothing changes then.
    @discardableResult
    public mutating func submit(tick: Tick, slot: PlayerSlot, payload: UnsafeRawBufferPointer) throws(InputRejection) -> Tick {
        guard slot.index < configuration.slotCount else {
            counters.rejectedInvalidSlot += 1
            throw .invalidSlot(slot)
        }
        guard payload.count <= configuration.payloadLimit else {
            counters.rejectedPayloadTooLarge += 1
            throw .payloadTooLarge(size: payload.count, limit: configuration.payloadLimit)
        }
        if tick >= leadLimit {
            counters.rejectedTooFarAhead += 1
            throw .tooFarAhead(tick: tick, limit: leadLimit)
        }
        if tick < nextTick {
            return try submitLate(tick: tick, slot: slot, payload: payload)
        }
        if wasReceived(tick: tick, slot: slot) {
            counters.rejectedDuplicate += 1
            throw .duplicate(tick)
        }
        let cell = cellIndex(tick: tick, slot: slot)
        if cells[cell] == .lateMoved { counters.lateSuperseded += 1 }
        store(payload, in: cell, as: .onTime)
        markReceived(tick: tick, slot: slot)
        counters.accepted += 1
        return tick
    }

    private mutating func submitLate(tick: Tick, slot: PlayerSlot, payload: UnsafeRawBufferPointer) throws(InputRejection) -> Tick {
        guard configuration.latePolicy == .nextOpenTick, tick.distance(to: nextTick) <= configuration.lateWindow else {
            counters.lateDropped += 1
            throw .late(tick: tick, nextTick: nextTick)
        }
        // Already accepted for this tick (on time and confirmed, or moved): never applied twice.
        if wasReceived(tick: tick, slot: slot) {
            counters.rejectedDuplicate += 1
            throw .duplicate(tick)
        }
        var candidate = nextTick
        while candidate < leadLimit {
            let cell = cellIndex(tick: candidate, slot: slot)
            if cells[cell] == .empty {
                store(payload, in: cell, as: .lateMoved)
                markReceived(tick: tick, slot: slot)
                counters.lateMoved += 1
                return candidate
            }
            candidate = candidate.next
        }
        counters.lateDropped += 1
        throw .late(tick: tick, nextTick: nextTick)
    }

    /// Confirms `nextTick` into `frame` (reusing its storage) and moves on to the following tick.
    ///
    /// Every slot gets its input, or the filler of the room's missing-input policy, with its status.
    public mutating func confirm(into frame: inout ConfirmedFrame) {
        frame.reset(tick: nextTick)
        let limit = configuration.payloadLimit
        for slotIndex in 0..<configuration.slotCount {
            let cell = cellIndex(tick: nextTick, slot: PlayerSlot(UInt8(slotIndex)))
            let state = cells[cell]
            if state != .empty {
                let length = Int(lengths[cell])
                bytes.withUnsafeBytes { raw in
                    frame.append(
                        status: state == .onTime ? .onTime : .lateMoved,
                        payload: UnsafeRawBufferPointer(rebasing: raw[cell * limit..<cell * limit + length]))
                }
                if state == .onTime { counters.confirmedOnTime += 1 }
                rememberLast(slotIndex: slotIndex, fromCell: cell)
                cells[cell] = .empty
            } else if !connected[slotIndex] {
                frame.append(status: .disconnected, payload: EmptyCollection())
                counters.disconnectedFilled += 1
            } else if configuration.missingPolicy == .repeatLast {
                let length = Int(lastLengths[slotIndex])
                lastBytes.withUnsafeBytes { raw in
                    frame.append(
                        status: .missingFilled,
                        payload: UnsafeRawBufferPointer(rebasing: raw[slotIndex * limit..<slotIndex * limit + length]))
                }
                counters.missingRepeated += 1
            } else {
                frame.append(status: .missingFilled, payload: EmptyCollection())
                counters.missingNeutral += 1
            }
        }
        counters.framesConfirmed += 1
        nextTick = nextTick.next
    }

    /// Confirms `nextTick` into a new frame (allocates; the server uses `confirm(into:)`).
    public mutating func confirm() -> ConfirmedFrame {
        var frame = ConfirmedFrame(tick: nextTick, reservingSlots: configuration.slotCount)
        confirm(into: &frame)
        return frame
    }

    private func cellIndex(tick: Tick, slot: PlayerSlot) -> Int {
        Int(tick.rawValue % UInt32(configuration.leadWindow)) * configuration.slotCount + slot.index
    }

    private func receivedIndex(tick: Tick, slot: PlayerSlot) -> Int {
        let ringTicks = UInt32(configuration.leadWindow + configuration.lateWindow)
        return Int(tick.rawValue % ringTicks) * configuration.slotCount + slot.index
    }

    private func wasReceived(tick: Tick, slot: PlayerSlot) -> Bool {
        receivedTicks[receivedIndex(tick: tick, slot: slot)] == UInt64(tick.rawValue) + 1
    }

    private mutating func markReceived(tick: Tick, slot: PlayerSlot) {
        receivedTicks[receivedIndex(tick: tick, slot: slot)] = UInt64(tick.rawValue) + 1
    }

    private mutating func store(_ payload: UnsafeRawBufferPointer, in cell: Int, as state: Cell) {
        let start = cell * configuration.payloadLimit
        bytes.withUnsafeMutableBytes { raw in
            raw.baseAddress.map { base in
                payload.baseAddress.map { source in (base + start).copyMemory(from: source, byteCount: payload.count) }
            }
        }
        lengths[cell] = UInt16(payload.count)
        cells[cell] = state
    }

    private mutating func rememberLast(slotIndex: Int, fromCell cell: Int) {
        let limit = configuration.payloadLimit
        let length = Int(lengths[cell])
        lastLengths[slotIndex] = UInt16(length)
        guard length > 0 else { return }
        bytes.withUnsafeBytes { source in
            lastBytes.withUnsafeMutableBytes { target in
                guard let from = source.baseAddress, let to = target.baseAddress else { return }
                (to + slotIndex * limit).copyMemory(from: from + cell * limit, byteCount: length)
            }
        }
    }
}
