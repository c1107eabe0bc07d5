/// What a room counts, for `/metrics` and the admin API.
public struct RoomStatistics: Equatable, Sendable {
    /// Frames confirmed.
    public var ticks: UInt64 = 0
    /// Ticks confirmed a whole period or more after their deadline.
    public var lateTicks: UInt64 = 0
    /// Times the schedule was re-anchored after falling behind.
    public var reschedules: UInt64 = 0
    /// Desyncs found.
    public var desyncs: UInt64 = 0
    /// Frames sent (FRAME messages × recipients, plus frames in batches).
    public var framesSent: UInt64 = 0
    /// Bytes of messages handed to the driver.
    public var bytesSent: UInt64 = 0
    /// Input rejections reported to clients.
    public var inputErrors: UInt64 = 0

    public init() {}
}
