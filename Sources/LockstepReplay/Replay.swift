import LockstepCore

/// A replay read from bytes: the header, every frame, checkpoints, events and, when complete, the footer.
///
/// Frames are stored flat (one status byte and one payload per slot per tick) so that a 30-minute
/// match is a few arrays, not 54,000 objects; `frame(at:into:)` refills a caller's frame.
public struct Replay: Sendable {
    /// The header.
    public var header: ReplayHeader
    /// Checkpoints in file order.
    public var checkpoints: [ReplayCheckpoint] = []
    /// Events in file order.
    public var events: [ReplayEvent] = []
    /// The footer, or `nil` when the file was truncated before it.
    public var footer: ReplayFooter?
    /// When the reader recovered a truncated file, what was lost.
    public var recovery: ReplayRecovery?
    /// The file's size in bytes.
    public var byteCount: Int = 0

    /// The tick of the first frame held: 0, except for the frames of one record read on their own
    /// (`ReplayFrameReader`).
    var firstTick = 0
    var statuses: [InputStatus] = []
    var payloadEnds: [Int32] = []
    var payloadBytes: [UInt8] = []

    /// The number of players.
    public var slotCount: Int { header.players.count }

    /// The number of frames held.
    public var frameCount: Int { slotCount == 0 ? 0 : statuses.count / slotCount }

    /// Refills `frame` with the frame of tick `index` (0-based, as ticks start at 0).
    public func frame(at index: Int, into frame: inout ConfirmedFrame) {
        frame.reset(tick: Tick(UInt32(truncatingIfNeeded: firstTick + index)))
        let base = index * slotCount
        payloadBytes.withUnsafeBytes { raw in
            for slot in 0..<slotCount {
                let start = base + slot == 0 ? 0 : Int(payloadEnds[base + slot - 1])
                let end = Int(payloadEnds[base + slot])
                frame.append(status: statuses[base + slot], payload: UnsafeRawBufferPointer(rebasing: raw[start..<end]))
            }
        }
    }

    /// The frame of tick `index`, as a new value.
    public func frame(at index: Int) -> ConfirmedFrame {
        var result = ConfirmedFrame(tick: .zero, reservingSlots: slotCount)
        frame(at: index, into: &result)
        return result
    }

    mutating func appendSlot(_ status: InputStatus, _ payload: some Collection<UInt8>) {
        statuses.append(status)
        payloadBytes.append(contentsOf: payload)
        payloadEnds.append(Int32(payloadBytes.count))
    }
}

/// What was lost when a truncated replay was recovered.
public struct ReplayRecovery: Equatable, Sendable {
    /// The offset of the first byte not used (the start of the incomplete record).
    public var validBytes: Int
    /// How many bytes after that were discarded.
    public var discardedBytes: Int
    /// Why reading stopped.
    public var reason: String
}
