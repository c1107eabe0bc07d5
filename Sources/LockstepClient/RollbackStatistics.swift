/// What prediction and rollback cost a session.
public struct RollbackStatistics: Equatable, Sendable {
    /// Confirmed frames that differed from their prediction and forced a re-simulation.
    public var rollbacks: UInt64 = 0
    /// The deepest rollback, in ticks re-simulated.
    public var maxDepth: Int = 0
    /// Ticks simulated again because of rollbacks.
    public var resimulatedTicks: UInt64 = 0
    /// Ticks simulated ahead of confirmation.
    public var predictedTicks: UInt64 = 0
    /// Times prediction stopped at the depth cap (the client waited instead).
    public var stalls: UInt64 = 0

    public init() {}
}
