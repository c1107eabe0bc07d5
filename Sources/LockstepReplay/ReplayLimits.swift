/// How much a replay reader may hold, whatever a file claims.
///
/// Repeat entries let a few bytes stand for any number of frames, so every count is checked against
/// these limits before anything is allocated for it; a file that would pass one is refused with an
/// error naming the offset. The standard limits hold a 38-hour match of 8 players; a service that
/// reads replays from strangers may lower them.
public struct ReplayLimits: Sendable, Equatable {
    /// The most slot entries (frames × players).
    public var maxSlotEntries: Int
    /// The most payload bytes, summed over every slot of every frame.
    public var maxPayloadBytes: Int

    /// Limits of `maxSlotEntries` slot entries and `maxPayloadBytes` payload bytes.
    public init(maxSlotEntries: Int, maxPayloadBytes: Int) {
        self.maxSlotEntries = max(0, maxSlotEntries)
        self.maxPayloadBytes = max(0, maxPayloadBytes)
    }

    /// 2^25 slot entries (4.2 million ticks of 8 players, 38 hours at 30 Hz) and 512 MiB of payload.
    public static let standard = ReplayLimits(maxSlotEntries: 1 << 25, maxPayloadBytes: 1 << 29)
}
