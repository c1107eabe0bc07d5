import LockstepEventLoop

/// One play connection's state, kept in `WebSocketConnection.userData` and touched only on the
/// connection's current loop.
final class PlaySession {
    enum Stage {
        /// Connected; the HELLO has not arrived yet.
        case awaitingHello
        /// Seated (or being seated) in a room.
        case seated(RoomDirectory.RoomDriverReference)
        /// Refused; the connection is closing.
        case refused
    }

    @exclusivity(unchecked) var stage: Stage = .awaitingHello
    @exclusivity(unchecked) var helloTimer: TimerHandle?
    /// The token bucket, in nano-messages: each message costs 10⁹.
    @exclusivity(unchecked) var bucket: UInt64
    @exclusivity(unchecked) var lastRefill: UInt64
    /// Payload bytes received before the HELLO (control frames included).
    @exclusivity(unchecked) var bytesBeforeHello = 0

    init(burst: Int, now: UInt64) {
        bucket = UInt64(burst) * 1_000_000_000
        lastRefill = now
    }

    /// Counts `bytes` received while awaiting the HELLO; `false` once they pass `budget`.
    /// Nothing is counted once the connection is past that stage.
    func spendBeforeHello(_ bytes: Int, budget: Int) -> Bool {
        guard case .awaitingHello = stage else { return true }
        bytesBeforeHello += bytes
        return bytesBeforeHello <= budget
    }

    /// Takes one message from the bucket; `false` when the connection is over its rate.
    func admit(now: UInt64, perSecond: Int, burst: Int) -> Bool {
        let elapsed = now &- lastRefill
        lastRefill = now
        let capacity = UInt64(burst) * 1_000_000_000
        let refill = elapsed > capacity ? capacity : elapsed &* UInt64(perSecond)
        bucket = min(capacity, bucket &+ refill)
        guard bucket >= 1_000_000_000 else { return false }
        bucket -= 1_000_000_000
        return true
    }
}
