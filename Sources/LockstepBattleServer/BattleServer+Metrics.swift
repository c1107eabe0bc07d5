import LockstepCore
import LockstepServer
import LockstepProtocol

extension BattleServer {
    /// The battle server's Prometheus families, appended to `/metrics`.
    static func prometheus(_ directory: RoomDirectory) -> String {
        var byPhase: [UInt64] = [0, 0, 0]
        var players: UInt64 = 0, spectators: UInt64 = 0, ticks: UInt64 = 0, lateTicks: UInt64 = 0
        var lateDropped: UInt64 = 0, lateMoved: UInt64 = 0, missingRepeated: UInt64 = 0, missingNeutral: UInt64 = 0
        var disconnected: UInt64 = 0, desyncs: UInt64 = 0, frames: UInt64 = 0, bytes: UInt64 = 0, inputErrors: UInt64 = 0
        for (_, entry) in directory.all() {
            let g = entry.gauges
            byPhase[Int(min(2, g.phase.load(ordering: .relaxed)))] += 1
            players += UInt64(g.connectedPlayers.load(ordering: .relaxed))
            spectators += UInt64(g.spectators.load(ordering: .relaxed))
            ticks += g.ticks.load(ordering: .relaxed)
            lateTicks += g.lateTicks.load(ordering: .relaxed)
            lateDropped += g.lateDropped.load(ordering: .relaxed)
            lateMoved += g.lateMoved.load(ordering: .relaxed)
            missingRepeated += g.missingRepeated.load(ordering: .relaxed)
            missingNeutral += g.missingNeutral.load(ordering: .relaxed)
            disconnected += g.disconnectedFilled.load(ordering: .relaxed)
            desyncs += g.desyncs.load(ordering: .relaxed)
            frames += g.framesSent.load(ordering: .relaxed)
            bytes += g.bytesSent.load(ordering: .relaxed)
            inputErrors += g.inputErrors.load(ordering: .relaxed)
        }
        var out = ""
        func family(_ name: String, _ type: String, _ help: String, _ samples: [(String, UInt64)]) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
            for (labels, value) in samples { out += labels.isEmpty ? "\(name) \(value)\n" : "\(name){\(labels)} \(value)\n" }
        }
        family("lockstep_rooms", "gauge", "Rooms known to the server, by state.", [
            ("state=\"waiting\"", byPhase[0]), ("state=\"running\"", byPhase[1]), ("state=\"ended\"", byPhase[2]),
        ])
        family("lockstep_players_connected", "gauge", "Players connected to a room.", [("", players)])
        family("lockstep_spectators_connected", "gauge", "Spectators connected to a room.", [("", spectators)])
        family("lockstep_ticks_total", "counter", "Ticks confirmed by all rooms.", [("", ticks)])
        family("lockstep_late_ticks_total", "counter", "Ticks confirmed a whole period or more late.", [("", lateTicks)])
        family("lockstep_inputs_late_total", "counter", "Late inputs, by what the late policy did.", [
            ("policy=\"drop\"", lateDropped), ("policy=\"next-open-tick\"", lateMoved),
        ])
        family("lockstep_inputs_missing_total", "counter", "Slots filled because no input arrived, by policy.", [
            ("policy=\"repeat-last\"", missingRepeated), ("policy=\"neutral\"", missingNeutral), ("policy=\"disconnected\"", disconnected),
        ])
        family("lockstep_input_errors_total", "counter", "Inputs rejected with an error to the client.", [("", inputErrors)])
        family("lockstep_desyncs_total", "counter", "Desyncs found by arbitration.", [("", desyncs)])
        family("lockstep_auth_failures_total", "counter", "Refused tokens and admin keys.", [("", directory.metrics.authFailures.load(ordering: .relaxed))])
        family("lockstep_rate_limited_total", "counter", "Connections closed for exceeding the message rate.", [("", directory.metrics.rateLimited.load(ordering: .relaxed))])
        family("lockstep_replays_interrupted", "gauge", "Replays left without a footer by an earlier run, found at start-up.", [("", UInt64(directory.interrupted().count))])
        family("lockstep_replay_failures_total", "counter", "Replays that could not be created or stopped being written.", [("", directory.metrics.replayFailures.load(ordering: .relaxed))])
        family("lockstep_room_frames_sent_total", "counter", "Frames sent to players and spectators.", [("", frames)])
        family("lockstep_room_bytes_sent_total", "counter", "Bytes of game messages sent.", [("", bytes)])
        out += histogram(
            directory.metrics.timerLateness, name: "lockstep_tick_lateness_seconds", help: "How late tick timers fired.",
            boundsMicros: BattleMetrics.timerLatenessBoundsMicros)
        out += histogram(
            directory.metrics.tickWork, name: "lockstep_tick_work_seconds", help: "Work per tick firing (confirm, encode, queue).",
            boundsMicros: BattleMetrics.tickWorkBoundsMicros)
        return out
    }

    /// A histogram family with its `le` bounds written as `Double(µs) / 1e6` (`1e-05`), as this
    /// endpoint always has.
    private static func histogram(_ histogram: LatencyHistogram, name: String, help: String, boundsMicros: [UInt64]) -> String {
        "# HELP \(name) \(help)\n# TYPE \(name) histogram\n"
            + PrometheusHistogram.samples(
                histogram, name: name, boundsMicroseconds: boundsMicros, boundLabel: { "\(Double($0) / 1e6)" })
    }
}
