/// Renders a smooth view of states that arrive at tick times, a fixed delay behind the newest.
///
/// Push each state with its time (for example its tick's deadline in seconds); ask for the view at
/// render time. The view is drawn `renderDelay` in the past, so there are usually two states around
/// it to interpolate between. When the next state is late, the view extrapolates from the last two,
/// but never more than `maxExtrapolation` past the newest state; after that it holds still.
///
/// Example, rendering between two ticks of a 30 Hz match with a 50 ms delay:
/// ```swift
/// var view = SnapshotInterpolator<Position>(renderDelay: 0.050, maxExtrapolation: 0.100)
/// view.push(Position(x: 0), at: 1.000)       // tick 30
/// view.push(Position(x: 10), at: 1.0333)     // tick 31
/// view.sample(at: 1.0667)                    // renders t = 1.0167: x ≈ 5, half way between
/// ```
public struct SnapshotInterpolator<State: Interpolatable> {
    /// How far behind the render time the view is drawn, in seconds.
    public var renderDelay: Double
    /// The longest the view may run past the newest state, in seconds.
    public var maxExtrapolation: Double
    /// How many states are kept (older ones are dropped).
    public let capacity: Int
    private var times: [Double] = []
    private var states: [State] = []

    public init(renderDelay: Double, maxExtrapolation: Double, capacity: Int = 32) {
        self.renderDelay = renderDelay
        self.maxExtrapolation = max(0, maxExtrapolation)
        self.capacity = max(2, capacity)
        times.reserveCapacity(self.capacity)
        states.reserveCapacity(self.capacity)
    }

    /// The number of states held.
    public var count: Int { states.count }

    /// Adds a state taken at `time`. States older than the newest are ignored.
    public mutating func push(_ state: State, at time: Double) {
        if let last = times.last, time <= last { return }
        if times.count == capacity {
            times.removeFirst()
            states.removeFirst()
        }
        times.append(time)
        states.append(state)
    }

    /// The view at render time `now`, or `nil` with no state yet.
    public func sample(at now: Double) -> State? {
        guard let newest = states.last, let newestTime = times.last else { return nil }
        let target = now - renderDelay
        guard states.count >= 2 else { return newest }
        if target <= times[0] { return states[0] }
        if target >= newestTime {
            // Extrapolate from the last two states, capped.
            let previous = states.count - 2
            let span = newestTime - times[previous]
            guard span > 0 else { return newest }
            let ahead = min(target - newestTime, maxExtrapolation)
            return State.interpolate(states[previous], newest, 1 + ahead / span)
        }
        var upper = times.count - 1
        while upper > 0 && times[upper - 1] > target { upper -= 1 }
        let lower = upper - 1
        let t = (target - times[lower]) / (times[upper] - times[lower])
        return State.interpolate(states[lower], states[upper], t)
    }
}
