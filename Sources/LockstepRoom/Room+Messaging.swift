import LockstepCore
import LockstepProtocol
import LockstepReplay

extension Room {
    /// Every seated connection: players and spectators.
    var allConnections: [ConnectionID] {
        slots.compactMap(\.connection) + spectators.map(\.connection)
    }

    func sendWriter(to connection: ConnectionID) {
        _statistics.bytesSent &+= UInt64(writer.bytes.count)
        writer.bytes.withUnsafeBytes { output.send($0, to: connection) }
    }

    func broadcastWriter(to connections: [ConnectionID]) {
        guard !connections.isEmpty else { return }
        _statistics.bytesSent &+= UInt64(writer.bytes.count * connections.count)
        writer.bytes.withUnsafeBytes { output.broadcast($0, to: connections) }
    }

    func sendError(_ error: ProtocolError, to connection: ConnectionID) {
        writer.clear()
        ServerMessageEncoder.error(error, into: &writer)
        sendWriter(to: connection)
    }

    /// Broadcasts an event to everyone seated and records it in the replay.
    func announce(_ event: RoomEvent, detail: String) {
        let tick = collector.nextTick
        writer.clear()
        ServerMessageEncoder.event(event, tick: tick, detail: detail, into: &writer)
        broadcastWriter(to: allConnections)
        let kind: ReplayEvent.Kind
        var text = detail
        switch event {
        case .joined: kind = .join
        case .left: kind = .leave
        case .disconnected: kind = .disconnect
        case .reconnected: kind = .reconnect
        case .desync(_, let divergent, let expected, let actual):
            kind = .desync
            text = "tick=\(divergent) expected=\(hex64(expected)) actual=\(hex64(actual))" + (detail.isEmpty ? "" : " \(detail)")
        case .matchStart: kind = .matchStart
        case .matchEnd(let reason): kind = .matchEnd; text = "\(reason)"
        }
        output.recordEvent(ReplayEvent(tick: tick, kind: kind, slot: event.slot, detail: text))
    }

    func sendWelcome(to connection: ConnectionID, role: Role, slot: PlayerSlot?, now: UInt64) {
        let schedule = clock.map { Self.wire($0.schedule) }
            ?? WireSchedule(baseTick: collector.nextTick, epoch: 0, tickRate: UInt16(settings.tickRate.rawValue))
        let welcome = Welcome(
            role: role, slot: slot, playerCount: UInt8(settings.players), tickRate: UInt16(settings.tickRate.rawValue),
            inputDelay: UInt16(settings.inputDelay), leadWindow: UInt16(settings.input.leadWindow),
            payloadLimit: UInt16(settings.input.payloadLimit), hashInterval: UInt16(settings.hashInterval),
            spectatorDelay: UInt16(settings.spectatorDelay), seed: settings.seed, simulationVersion: settings.simulationVersion,
            phase: phase, nextTick: collector.nextTick, schedule: schedule, serverTime: now, roomID: settings.roomID,
            simulationID: settings.simulationID)
        writer.clear()
        ServerMessageEncoder.welcome(welcome, into: &writer)
        sendWriter(to: connection)
    }

    /// Frames per FRAME_BATCH message.
    static let catchUpBatch = 256

    func sendBatches(_ count: Int, to connection: ConnectionID, _ appendBody: (Int, inout WireWriter) -> Void) {
        var index = 0
        while index < count {
            let batch = min(Self.catchUpBatch, count - index)
            writer.clear()
            ServerMessageEncoder.frameBatchHeader(count: batch, into: &writer)
            for offset in 0..<batch { appendBody(index + offset, &writer) }
            sendWriter(to: connection)
            _statistics.framesSent &+= UInt64(batch)
            index += batch
        }
    }

    /// Stops sending `connection` frames, live or catching up.
    func removeTarget(_ connection: ConnectionID) {
        if let index = liveTargets.firstIndex(of: connection) { liveTargets.remove(at: index) }
        if let index = cursors.firstIndex(where: { $0.connection == connection }) { cursors.remove(at: index) }
    }

    func removeSpectator(_ connection: ConnectionID) {
        spectators.removeAll { $0.connection == connection }
        removeTarget(connection)
    }
}
