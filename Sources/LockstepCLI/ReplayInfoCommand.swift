import LockstepCore
import LockstepReplay

/// `lockstep replay info FILE`: prints a replay's header, players, duration, size and events.
public enum ReplayInfoCommand: Command {
    public static let spec = CommandSpec(
        path: ["replay", "info"], summary: "Print a replay's header, players, duration, size and events.",
        discussion: "A truncated file is read up to its last complete record, and the loss is reported.",
        positionals: [PositionalSpec("FILE", help: "The replay file.")])

    public static func run(_ arguments: ParsedArguments, output: CommandOutput) throws -> Int32 {
        let path = arguments.positionals[0]
        let replay: Replay
        do {
            replay = try ReplayReader.read(try readReplayFile(path), mode: .recover)
        } catch {
            throw CommandFailure("\(path): \(error)")
        }
        let header = replay.header
        let seconds = Double(replay.frameCount) / Double(max(1, header.tickRate))
        var lines = [
            "file:         \(path)",
            "size:         \(replay.byteCount) bytes",
            "format:       version \(ReplayFormat.version)",
            "simulation:   \(header.simulationID) version \(header.simulationVersion)",
            "room:         \(header.roomID)",
            "tick rate:    \(header.tickRate) Hz, input delay \(header.inputDelay) ticks, payload limit \(header.payloadLimit) bytes",
            "seed:         \(hex64(header.seed))",
            "duration:     \(replay.frameCount) ticks (\(String(format1: seconds)) s)",
            "checkpoints:  \(replay.checkpoints.count) (every \(header.checkpointInterval) ticks)",
            "players:      \(header.players.count)",
        ]
        for (slot, player) in header.players.enumerated() { lines.append("  slot \(slot): \(player)") }
        if let footer = replay.footer {
            lines.append("final hash:   \(hex64(footer.finalHash))")
        } else if let recovery = replay.recovery {
            lines.append("TRUNCATED:    \(recovery.reason); \(recovery.discardedBytes) bytes after offset \(recovery.validBytes) lost")
        }
        lines.append("events:       \(replay.events.count)")
        for event in replay.events {
            let slot = event.slot.map { " slot \($0)" } ?? ""
            let detail = event.detail.isEmpty ? "" : ": \(event.detail)"
            lines.append("  tick \(event.tick) \(event.kind)\(slot)\(detail)")
        }
        output.out(lines.joined(separator: "\n") + "\n")
        return CommandLineTool.exitSuccess
    }
}

extension String {
    /// `value` with one decimal, without Foundation.
    init(format1 value: Double) {
        let tenths = Int((value * 10).rounded())
        self = "\(tenths / 10).\(abs(tenths % 10))"
    }
}
