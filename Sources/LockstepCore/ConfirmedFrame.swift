/// The server's final word on one tick: every slot's input and how it got there.
///
/// Payloads are stored back to back in one byte array so that a frame can be refilled every tick
/// without allocating (`reset(tick:slotCount:)` keeps the capacity).
public struct ConfirmedFrame: Hashable, Sendable {
    /// The tick this frame confirms.
    public private(set) var tick: Tick
    /// The status of each slot, indexed by slot.
    public private(set) var statuses: [InputStatus]
    /// `payloadEnds[i]` is the end offset of slot i's payload in `payloadBytes`.
    private var payloadEnds: [Int32]
    /// Every slot's payload, concatenated in slot order.
    public private(set) var payloadBytes: [UInt8]

    /// An empty frame for `tick`; fill it with `append(status:payload:)` in slot order.
    public init(tick: Tick, reservingSlots slots: Int = 0, payloadBytes bytes: Int = 0) {
        self.tick = tick
        statuses = []
        payloadEnds = []
        payloadBytes = []
        statuses.reserveCapacity(slots)
        payloadEnds.reserveCapacity(slots)
        payloadBytes.reserveCapacity(bytes)
    }

    /// A frame from (status, payload) pairs in slot order.
    public init(tick: Tick, inputs: [(InputStatus, [UInt8])]) {
        self.init(tick: tick, reservingSlots: inputs.count)
        for (status, payload) in inputs { append(status: status, payload: payload) }
    }

    /// The number of slots the frame holds.
    public var slotCount: Int { statuses.count }

    /// Empties the frame for reuse at `tick`, keeping its storage.
    public mutating func reset(tick: Tick) {
        self.tick = tick
        statuses.removeAll(keepingCapacity: true)
        payloadEnds.removeAll(keepingCapacity: true)
        payloadBytes.removeAll(keepingCapacity: true)
    }

    /// Appends the next slot's input.
    public mutating func append(status: InputStatus, payload: some Collection<UInt8>) {
        statuses.append(status)
        payloadBytes.append(contentsOf: payload)
        payloadEnds.append(Int32(payloadBytes.count))
    }

    /// Appends the next slot's input from raw memory (no intermediate array).
    public mutating func append(status: InputStatus, payload: UnsafeRawBufferPointer) {
        statuses.append(status)
        payloadBytes.append(contentsOf: payload)
        payloadEnds.append(Int32(payloadBytes.count))
    }

    /// The byte range of `slot`'s payload within `payloadBytes`.
    public func payloadRange(of slot: Int) -> Range<Int> {
        let start = slot == 0 ? 0 : Int(payloadEnds[slot - 1])
        return start..<Int(payloadEnds[slot])
    }

    /// The payload of `slot`.
    public func payload(of slot: Int) -> ArraySlice<UInt8> {
        payloadBytes[payloadRange(of: slot)]
    }

    /// The status of `slot`.
    public func status(of slot: Int) -> InputStatus {
        statuses[slot]
    }

    /// Whether `slot` holds the same status and payload in both frames.
    public func slotEquals(_ slot: Int, in other: ConfirmedFrame) -> Bool {
        statuses[slot] == other.statuses[slot] && payloadEquals(slot, other.payloadRange(of: slot), in: other.payloadBytes)
    }

    /// Whether `slot`'s payload equals `bytes[range]` (a plain byte comparison, no generic iteration).
    public func payloadEquals(_ slot: Int, _ range: Range<Int>, in bytes: [UInt8]) -> Bool {
        let mine = payloadRange(of: slot)
        guard mine.count == range.count else { return false }
        return payloadBytes.withUnsafeBufferPointer { a in
            bytes.withUnsafeBufferPointer { b in
                for offset in 0..<mine.count where a[mine.lowerBound + offset] != b[range.lowerBound + offset] {
                    return false
                }
                return true
            }
        }
    }

    /// Appends the next slot's input, copying `range` of `bytes` (no generic iteration).
    public mutating func append(status: InputStatus, payloadFrom bytes: [UInt8], range: Range<Int>) {
        bytes.withUnsafeBytes { raw in
            append(status: status, payload: UnsafeRawBufferPointer(rebasing: raw[range]))
        }
    }
}
