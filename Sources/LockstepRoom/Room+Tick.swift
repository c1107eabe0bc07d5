import LockstepCore
import LockstepProtocol
import LockstepReplay

extension Room {
    /// Runs everything due at monotonic time `now`: the start timeout, due ticks, the abandon timeout.
    public func advance(now: UInt64) {
        switch phase {
        case .waiting:
            guard now >= createdAt &+ settings.startTimeoutNanos else { return }
            // Bots count towards `minPlayers`, but a match starts only with a player in it.
            let players = slots.indices.filter { !isBot($0) && slots[$0].hasJoined }.count
            if players > 0 && players + bots.count >= settings.minPlayers {
                start(now: now)
            } else {
                end(.startTimeout, now: now)
            }
        case .running:
            while phase == .running, let event = clock?.poll(now: now) {
                switch event {
                case .tick(let tick, _):
                    confirm(tick, now: now)
                case .rescheduled(let schedule, let behind):
                    _statistics.reschedules += 1
                    writer.clear()
                    ServerMessageEncoder.schedule(Self.wire(schedule), into: &writer)
                    broadcastWriter(to: allConnections)
                    output.log(.warning, "tick schedule re-anchored", [("room", settings.roomID), ("behind_ns", "\(behind)")])
                }
            }
            if let clock { _statistics.lateTicks = clock.statistics.lateTicks }
            if phase == .running, let since = noPlayersSince, now &- since >= settings.abandonTimeoutNanos {
                end(.allPlayersGone, now: now)
            }
        case .ended:
            break
        }
    }

    /// Starts the match: tick 0 is due after the start delay, on this room's phase in the period.
    func start(now: UInt64) {
        guard phase == .waiting else { return }
        _phase = .running
        let period = settings.tickRate.periodNanoseconds
        var epoch = now &+ settings.startDelayNanos
        let phase = settings.phaseOffsetNanos % max(1, period)
        epoch = epoch - epoch % period + phase + (epoch % period > phase ? period : 0)
        clock = TickClock(rate: settings.tickRate, epoch: epoch, firstTick: collector.nextTick)
        if connectedPlayers == 0 { noPlayersSince = now }
        for seat in bots { announce(.joined(slot: seat.slot), detail: "bot") }
        announce(.matchStart, detail: "")
        if let schedule = clock?.schedule {
            writer.clear()
            ServerMessageEncoder.schedule(Self.wire(schedule), into: &writer)
            broadcastWriter(to: allConnections)
        }
        output.log(.info, "match started", [("room", settings.roomID), ("players", "\(connectedPlayers)"), ("epoch_ns", "\(epoch)")])
    }

    /// Confirms one tick: frame, broadcast, ring, replay, re-simulation, delayed spectators.
    func confirm(_ tick: Tick, now: UInt64) {
        if !bots.isEmpty { submitBotInputs(for: tick) }
        collector.confirm(into: &frame)
        // One copy of the frame for the whole tick: passing the stored property to each callee
        // would retain and release its three arrays at every call (the callee might change it).
        let frame = self.frame
        writer.clear()
        ServerMessageEncoder.frame(frame, into: &writer)
        // Keep the frame body (without its type byte) for catch-up, in the ring's own storage,
        // before broadcasting: `writer` is shared, and nothing sent afterwards may change the ring.
        writer.bytes.withUnsafeBytes { ring.append(UnsafeRawBufferPointer(rebasing: $0[1...]), at: frame.tick) }
        broadcastWriter(to: liveTargets)
        _statistics.framesSent &+= UInt64(liveTargets.count)
        _statistics.ticks &+= 1
        output.recordFrame(frame)
        // Optional chaining, not a `simulation != nil` test: that copies the existential.
        simulation?.step(frame)
        if settings.hashInterval > 0 && arbiter.isCheckpoint(frame.tick), let hash = simulation?.hash() {
            output.recordCheckpoint(ReplayCheckpoint(tick: frame.tick, hash: hash))
            handle(arbiter.serverHash(tick: frame.tick, hash: hash), now: now)
        }
        if !cursors.isEmpty { advanceCursors(now: now) }
        if Int(collector.nextTick.rawValue) >= settings.maxTicks { end(.tickLimit, now: now) }
    }

    /// Each bot's input for `tick`, decided from the state after the tick before and submitted as
    /// a player's input is: on time, into the same collector.
    func submitBotInputs(for tick: Tick) {
        guard let state = simulation else { return }
        var index = 0
        while index < bots.count {
            bots[index].bot.input(for: tick, simulation: state, into: &botPayload)
            let slot = bots[index].slot
            let accepted = botPayload.withUnsafeBytes { raw in (try? collector.submit(tick: tick, slot: slot, payload: raw)) != nil }
            // Refused only for a payload over the room's limit (or a tick a fast-forward filled).
            if !accepted { _statistics.inputErrors += 1 }
            index += 1
        }
    }

    /// Ends the match: tells everyone, records it, settles open hash checkpoints, closes connections.
    public func end(_ reason: MatchEndReason, now: UInt64) {
        guard phase != .ended else { return }
        if settings.hashInterval > 0 { handle(arbiter.closeAll(), now: now) }
        // A delayed spectator sees the whole match: the frames it still lacks, then the end.
        if !cursors.isEmpty { sendDelayedSpectatorsTheRest() }
        announce(.matchEnd(reason: reason), detail: "")
        _phase = .ended
        _endReason = reason
        let finalHash = simulation?.hash() ?? 0
        output.log(.info, "match ended", [("room", settings.roomID), ("reason", "\(reason)"), ("ticks", "\(collector.nextTick)")])
        let code: UInt16 = reason.isServerGoingAway ? 1001 : 1000
        for connection in allConnections { output.close(connection, code: code, reason: "match ended") }
        for index in slots.indices { setConnection(nil, ofSlot: index) }
        spectators.removeAll()
        liveTargets.removeAll()
        cursors.removeAll()
        output.roomEnded(reason: reason, finalHash: finalHash)
    }

    /// Applies desync verdicts: checkpoints, events, and the room's policy.
    func handle(_ verdicts: [DesyncVerdict], now: UInt64) {
        for verdict in verdicts {
            if simulation == nil, let agreed = verdict.agreedHash {
                output.recordCheckpoint(ReplayCheckpoint(tick: verdict.tick, hash: agreed))
            }
            for (slot, actual) in verdict.diverging {
                // Each player is announced once: an undecided checkpoint (no majority, as in a
                // two-player room of a game the server does not run) repeats at every checkpoint.
                let bit: UInt64 = 1 << UInt64(slot.index)
                let isFirst = announcedDesyncs & bit == 0
                announcedDesyncs |= bit
                if isFirst {
                    _statistics.desyncs += 1
                    let expected = verdict.agreedHash ?? 0
                    let detail = verdict.isDecided ? "" : "no majority"
                    announce(.desync(slot: slot, tick: verdict.tick, expected: expected, actual: actual), detail: detail)
                    output.log(.warning, "desync", [
                        ("room", settings.roomID), ("slot", "\(slot)"), ("tick", "\(verdict.tick)"),
                        ("expected", hex64(expected)), ("actual", hex64(actual)), ("decided", "\(verdict.isDecided)"),
                    ])
                }
                if settings.desyncPolicy == .drop && verdict.isDecided, let connection = slots[slot.index].connection {
                    sendError(ProtocolError(.desyncDropped, "state diverged at tick \(verdict.tick)"), to: connection)
                    output.close(connection, code: ProtocolErrorCode.desyncDropped.closeCode, reason: "desync")
                    playerLeft(slot, connection: connection, now: now)
                }
            }
        }
    }

    func playerLeft(_ slot: PlayerSlot, connection: ConnectionID, now: UInt64) {
        slots[slot.index].hasLeft = true
        setConnection(nil, ofSlot: slot.index)
        collector.setConnected(slot, false)
        arbiter.expected &= ~(1 << UInt64(slot.index))
        removeTarget(connection)
        announce(.left(slot: slot), detail: "")
        if connectedPlayers == 0 { noPlayersSince = now }
        if phase == .running && slots.indices.allSatisfy({ isBot($0) || slots[$0].hasLeft || !slots[$0].hasJoined }) {
            end(.allPlayersGone, now: now)
        }
    }

    static func wire(_ schedule: TickSchedule) -> WireSchedule {
        WireSchedule(baseTick: schedule.baseTick, epoch: schedule.epoch, tickRate: UInt16(schedule.rate.rawValue))
    }
}
