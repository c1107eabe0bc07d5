/// One of the soak's room places: the match playing in it now and what is planned for that match
/// (when its spectators join, whether and when a player drops and resumes). Owned by the driving thread.
struct SoakSlot {
    /// The place's number (its first match is staggered by it).
    let index: Int
    /// The loop its matches run on.
    let loopIndex: Int
    /// The match playing now (`nil` between matches).
    var room: SoakRoom?
    /// Matches this place has had.
    var matches = 0
    /// When the current match's room was created and when every player had the schedule (monotonic ns).
    var createdAt: UInt64 = 0, startedAt: UInt64?
    /// The current match's length, ns.
    var matchNanoseconds: UInt64 = 0
    /// When the current match's spectators join (`nil`: none, or joined).
    var spectatorsAt: UInt64?
    /// When a player drops to resume (`nil`: none, or done), and which.
    var reconnectAt: UInt64?, reconnectPlayer = 0
    /// When the bench gave up waiting and ended the match itself (`nil`: it has not).
    var forcedAt: UInt64?
    /// Not before this (monotonic ns) is a room created again after a creation failed.
    var retryAt: UInt64 = 0
}
