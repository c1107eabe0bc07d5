import LockstepCore
import LockstepProtocol

extension Room {
    /// Confirms `ticks` ticks at once, each slot's input given by `input`, as if the match had
    /// been played that long; then re-anchors the schedule at `now` (a SCHEDULE to everyone). For
    /// tests that need a long match (a rejoin at tick 100,000) without playing it in real time.
    @_spi(Testing)
    public func fastForward(ticks: Int, now: UInt64, input: (Tick, PlayerSlot) -> [UInt8]) {
        guard phase == .running else { return }
        var done = 0
        while done < ticks, phase == .running {
            let tick = collector.nextTick
            for slot in 0..<settings.players {
                let payload = input(tick, PlayerSlot(UInt8(slot)))
                _ = payload.withUnsafeBytes { try? collector.submit(tick: tick, slot: PlayerSlot(UInt8(slot)), payload: $0) }
            }
            confirm(tick, now: now)
            done += 1
        }
        guard phase == .running else { return }
        let next = TickClock(rate: settings.tickRate, epoch: now &+ settings.tickRate.periodNanoseconds, firstTick: collector.nextTick)
        clock = next
        writer.clear()
        ServerMessageEncoder.schedule(Self.wire(next.schedule), into: &writer)
        broadcastWriter(to: allConnections)
    }
}
