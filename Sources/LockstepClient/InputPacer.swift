import LockstepCore
import LockstepProtocol
import Synchronization

/// Sends a player's inputs at their time, whatever the game loop does: the core publishes its
/// plan (the schedule, the clock offset, the input delay, the slot) and the game's latest input;
/// a transport that paces (`ClientTransport.pace(_:)`) wakes on its own thread at each input's
/// deadline and sends it, so a game loop that stalls for a few frames no longer makes its inputs
/// late. Every tick is taken once, by the transport or by the core (`update`), whichever comes
/// first: they share the next tick under one lock. (An input taken by the core may reach the
/// wire just after one the transport took for the next tick; the server buffers any tick inside
/// its lead window, whatever the order.) What the transport sent is journaled for the core, which
/// uses it in its predictions and its input delay. With an `inputSource` (bots) the core sends
/// alone: the plan is withdrawn. There is no plan before the first PONG, and the first tick it
/// sends for is never one the room is known to have confirmed (see `LockstepClientCore`).
public final class InputPacer: Sendable {
    /// What the transport needs to send inputs by itself.
    public struct Plan: Equatable, Sendable {
        public var schedule: TickSchedule
        /// Server time minus client time (ns).
        public var offset: Int64
        public var delay: Int
        public var slot: PlayerSlot
    }

    struct State {
        var plan: Plan?
        var input: [UInt8] = []
        var nextTick: Tick = .zero
        var journal: [(tick: Tick, payload: [UInt8])] = []
        var onEarlierDeadline: (@Sendable () -> Void)?
    }

    private let state = Mutex(State())

    public init() {}

    /// The game's latest input: what every tick sent from now on carries.
    public var input: [UInt8] {
        get { state.withLock { $0.input } }
        set { state.withLock { $0.input = newValue } }
    }

    /// Calls `handler` (the transport's wake-up) when a new plan brings the next deadline forward.
    public func setDeadlineHandler(_ handler: (@Sendable () -> Void)?) {
        state.withLock { $0.onEarlierDeadline = handler }
    }

    // MARK: The core's side

    /// Publishes the plan (`nil`: the transport sends nothing) and the first tick still to send.
    func publish(_ plan: Plan?, from floor: Tick) {
        let handler = state.withLock { state -> (@Sendable () -> Void)? in
            let before = Self.deadline(state)
            state.plan = plan
            if state.nextTick < floor { state.nextTick = floor }
            guard let after = Self.deadline(state) else { return nil }
            return before.map { after < $0 } ?? true ? state.onEarlierDeadline : nil
        }
        handler?()
    }

    /// Takes the ticks up to `target` not taken yet (from `floor` on), each with its payload.
    func take(upTo target: Tick, from floor: Tick, source: ((Tick) -> [UInt8])?) -> [(tick: Tick, payload: [UInt8])] {
        state.withLock { state in
            var tick = max(state.nextTick, floor)
            var taken: [(tick: Tick, payload: [UInt8])] = []
            while tick <= target {
                taken.append((tick, source?(tick) ?? state.input))
                tick = tick.next
            }
            state.nextTick = tick
            return taken
        }
    }

    /// The inputs the transport sent since the last call.
    func takeJournal() -> [(tick: Tick, payload: [UInt8])] {
        state.withLock { state in
            defer { state.journal.removeAll(keepingCapacity: true) }
            return state.journal
        }
    }

    // MARK: The transport's side

    /// When the next input is due (client monotonic ns), or `nil` with no plan.
    public func nextDeadline() -> UInt64? {
        state.withLock { Self.deadline($0) }
    }

    /// The INPUT messages due at `now`, in tick order (journaled for the core).
    public func takeDue(now: UInt64) -> [[UInt8]] {
        state.withLock { state in
            guard let plan = state.plan else { return [] }
            let serverNow = UInt64(bitPattern: Int64(bitPattern: now) &+ plan.offset)
            let lastDue = plan.schedule.tick(at: serverNow).map { Int($0.rawValue) } ?? Int(plan.schedule.baseTick.rawValue) - 1
            let target = lastDue + plan.delay
            var messages: [[UInt8]] = []
            var writer = WireWriter()
            while Int(state.nextTick.rawValue) <= target {
                writer.clear()
                ClientMessageEncoder.input(tick: state.nextTick, slot: plan.slot, payload: state.input, into: &writer)
                messages.append(writer.bytes)
                state.journal.append((state.nextTick, state.input))
                state.nextTick = state.nextTick.next
            }
            return messages
        }
    }

    /// The client time at which `state.nextTick`'s input is due: when tick `nextTick − delay` is.
    private static func deadline(_ state: State) -> UInt64? {
        guard let plan = state.plan else { return nil }
        let trigger = Int(state.nextTick.rawValue) - plan.delay
        guard trigger >= Int(plan.schedule.baseTick.rawValue) else { return 0 }
        let serverDeadline = plan.schedule.deadline(of: Tick(UInt32(trigger)))
        return UInt64(bitPattern: max(0, Int64(bitPattern: serverDeadline) &- plan.offset))
    }
}
