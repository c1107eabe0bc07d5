import LockstepCore

/// Which ticks a player paced by the frames it receives sends inputs for: the first
/// `inputDelay + 1` ticks at once when its match starts, then, when the frame of tick t arrives,
/// every tick up to t + `inputDelay` + 1 not sent yet. Simpler than the clock pacing of
/// docs/PROTOCOL.md ("Clock alignment and when to send"), and as good on the server's own host.
///
/// The frame-driven scripted players (the benchmark's bots, the tests' game client) share it;
/// `LockstepClient` paces by its synchronised clock instead. A value with no storage: no
/// allocation per frame.
public struct FrameDrivenInputs: Sendable, Equatable {
    /// The next tick an input is due for.
    public private(set) var nextTick: Tick
    /// The room's input delay, in ticks.
    public let inputDelay: Int

    /// A player whose first input is for `firstTick` (the WELCOME's next tick, or the schedule's
    /// base tick if later) in a room of `inputDelay`.
    public init(firstTick: Tick, inputDelay: Int) {
        self.nextTick = firstTick
        self.inputDelay = max(0, inputDelay)
    }

    /// The ticks to send when the match starts: `firstTick … firstTick + inputDelay`.
    public mutating func ticksAtStart() -> ClosedRange<Tick>? {
        take(through: nextTick.advanced(by: inputDelay))
    }

    /// The ticks to send now that the frame of `tick` arrived (`nil` when none is due).
    public mutating func ticksDue(afterFrameOf tick: Tick) -> ClosedRange<Tick>? {
        take(through: tick.advanced(by: inputDelay + 1))
    }

    private mutating func take(through last: Tick) -> ClosedRange<Tick>? {
        guard nextTick <= last else { return nil }
        defer { nextTick = last.next }
        return nextTick...last
    }
}

extension ClosedRange where Bound == Tick {
    /// Calls `body` with every tick of the range, in order.
    @inlinable
    public func forEachTick(_ body: (Tick) throws -> Void) rethrows {
        var tick = lowerBound
        while true {
            try body(tick)
            if tick == upperBound { return }
            tick = tick.next
        }
    }
}
