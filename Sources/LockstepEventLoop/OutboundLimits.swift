/// How much one connection may hold in its outbound queue: the watermarks that drive
/// writability (and backpressure) and the cap past which its peer is a slow reader.
///
/// A server sizes them per endpoint, for what that endpoint sends (a game's frame stream needs
/// seconds of frames, an echo endpoint the largest message it echoes).
public struct OutboundLimits: Sendable, Equatable {
    /// Queue size above which the connection is not writable (and, with backpressure, not read).
    public var highWatermark: Int
    /// Queue size below which it is writable (and read) again.
    public var lowWatermark: Int
    /// Queue size no write may exceed.
    public var cap: Int

    /// Limits with these sizes in bytes.
    public init(highWatermark: Int, lowWatermark: Int, cap: Int) {
        self.highWatermark = highWatermark
        self.lowWatermark = lowWatermark
        self.cap = cap
    }

    /// Checks `0 <= low <= high <= cap` and a positive cap.
    ///
    /// - Throws: a message naming the rule broken.
    public func validate() throws(ConfigurationError) {
        guard lowWatermark >= 0, lowWatermark <= highWatermark, highWatermark <= cap, cap > 0 else {
            throw ConfigurationError("outbound watermarks must satisfy low <= high <= cap")
        }
    }
}
