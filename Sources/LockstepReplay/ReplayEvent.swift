import LockstepCore

/// Something that happened in a match besides inputs, recorded at a tick.
public struct ReplayEvent: Equatable, Sendable {
    /// The kind of event. Raw values are the replay (and wire) encoding.
    public enum Kind: UInt8, Sendable, CaseIterable {
        case join = 1, leave, disconnect, reconnect, desync, matchStart, matchEnd
    }

    /// The tick the event happened at (the next tick to be confirmed at that moment).
    public var tick: Tick
    /// What happened.
    public var kind: Kind
    /// The slot it concerns, or `nil` for the whole room.
    public var slot: PlayerSlot?
    /// A short human-readable detail (UTF-8, at most 65,535 bytes).
    public var detail: String

    public init(tick: Tick, kind: Kind, slot: PlayerSlot? = nil, detail: String = "") {
        self.tick = tick
        self.kind = kind
        self.slot = slot
        self.detail = detail
    }
}

/// A state hash recorded after the frame of `tick` was applied.
public struct ReplayCheckpoint: Equatable, Sendable {
    public var tick: Tick
    public var hash: UInt64

    public init(tick: Tick, hash: UInt64) {
        self.tick = tick
        self.hash = hash
    }
}

/// The last record of a complete replay.
public struct ReplayFooter: Equatable, Sendable {
    /// The number of frames in the file.
    public var tickCount: UInt32
    /// The state hash after the last frame.
    public var finalHash: UInt64
    /// CRC-32 of every byte of the file before the footer record.
    public var fileChecksum: UInt32
}

/// The record kinds of the format, as their tag byte.
enum ReplayRecordKind: UInt8 {
    case header = 1, frames, checkpoint, event, footer
}

/// The format's constants.
public enum ReplayFormat {
    /// The 8 bytes every replay starts with: `LSREPLAY`.
    public static let magic: [UInt8] = Array("LSREPLAY".utf8)
    /// The format version this code writes and reads.
    public static let version: UInt16 = 1
    /// The file preamble: magic, version (u16), reserved (u16).
    static let preambleSize = 12
    /// Record framing: kind (u8) + body length (u32) before the body, CRC-32 (u32) after it.
    static let recordOverhead = 9
    /// The largest record body accepted: 64 MiB.
    static let maxRecordBody = 64 << 20
    /// The most slot entries (frames × players) a reader holds by default: 2^25, 4.2 million ticks
    /// of 8 players (38 hours at 30 Hz). Repeats make a few bytes stand for any number of frames; a
    /// file whose counts would pass this is refused before anything is allocated for them.
    public static let maxSlotEntries = ReplayLimits.standard.maxSlotEntries
    /// The most payload bytes a reader holds by default (512 MiB), for the same reason.
    public static let maxPayloadBytes = ReplayLimits.standard.maxPayloadBytes
    /// Slot-byte flag: this slot's payload equals its previous payload in the same record.
    static let samePayloadFlag: UInt8 = 0x04
    /// Frames-record entry tags.
    static let tagRepeat: UInt8 = 0
    static let tagFrame: UInt8 = 1
}
