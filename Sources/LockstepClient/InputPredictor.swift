import LockstepCore

/// Guesses a remote player's input for a tick that is not confirmed yet.
public protocol InputPredictor: Sendable {
    /// The predicted payload for `slot` at `tick`, given its last confirmed payload and status.
    func predict(slot: Int, tick: Tick, lastConfirmed: ArraySlice<UInt8>, lastStatus: InputStatus) -> [UInt8]
}

/// The default: a remote player keeps doing what it did last (GGPO's and GGRS's default too).
public struct RepeatLastInputPredictor: InputPredictor {
    public init() {}

    public func predict(slot: Int, tick: Tick, lastConfirmed: ArraySlice<UInt8>, lastStatus: InputStatus) -> [UInt8] {
        Array(lastConfirmed)
    }
}
