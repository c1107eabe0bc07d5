import LockstepBots
import LockstepCore
import LockstepReplay

#if canImport(Glibc)
import Glibc
#endif

/// `lockstep replay record`: plays a seeded bot match and writes its replay (regenerates goldens).
public enum ReplayRecordCommand: Command {
    public static let spec = CommandSpec(
        path: ["replay", "record"], summary: "Play a seeded bot match and write its replay.",
        discussion: """
            The same options always produce the same bytes. The golden replays in Replays/ are made
            with tools/regenerate-golden-replays.sh.
            """,
        options: [
            OptionSpec("--players", value: "N", help: "Players, 2 to 8.", default: "2"),
            OptionSpec("--ticks", value: "N", help: "Ticks to play, 1 to 10000000.", default: "600"),
            OptionSpec("--seed", value: "SEED", help: "Match seed (decimal or 0x hex).", default: "1"),
            OptionSpec("--rate", value: "HZ", help: "Tick rate written in the header, 1 to 240.", default: "30"),
            OptionSpec("--checkpoint-interval", value: "N", help: "Ticks between checkpoints.", default: "60"),
            OptionSpec("--chaos", help: "Late, missing and lost inputs, and disconnects."),
            OptionSpec("--late-policy", value: "POLICY", help: "drop or next-open-tick.", default: "next-open-tick"),
            OptionSpec("--missing-policy", value: "POLICY", help: "repeat-last or neutral.", default: "repeat-last"),
        ],
        positionals: [PositionalSpec("OUTPUT", help: "Where to write the replay.")])

    public static func run(_ arguments: ParsedArguments, output: CommandOutput) throws -> Int32 {
        var match = BotMatch(
            players: try arguments.integer("--players", in: 2...8) ?? 2,
            ticks: try arguments.integer("--ticks", in: 1...10_000_000) ?? 600,
            seed: try arguments.unsigned64("--seed") ?? 1)
        match.tickRate = try arguments.integer("--rate", in: 1...240) ?? 30
        match.checkpointInterval = try arguments.integer("--checkpoint-interval", in: 1...1_000_000) ?? 60
        match.chaos = arguments.flag("--chaos")
        if let text = arguments.value("--late-policy") {
            guard let policy = LateInputPolicy(rawValue: text) else { throw UsageError("--late-policy takes drop or next-open-tick, not '\(text)'") }
            match.latePolicy = policy
        }
        if let text = arguments.value("--missing-policy") {
            guard let policy = MissingInputPolicy(rawValue: text) else { throw UsageError("--missing-policy takes repeat-last or neutral, not '\(text)'") }
            match.missingPolicy = policy
        }
        let result: (bytes: [UInt8], summary: BotMatch.Summary)
        do {
            result = try match.play()
        } catch {
            throw UsageError(error.description)
        }
        let path = arguments.positionals[0]
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw CommandFailure("cannot create \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let written = result.bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == result.bytes.count else { throw CommandFailure("cannot write \(path)") }
        let c = result.summary.counters
        output.out(
            "\(path): \(match.ticks) ticks, \(match.players) players, \(result.bytes.count) bytes, final hash \(hex64(result.summary.finalHash)); "
                + "on-time \(c.confirmedOnTime), late moved \(c.lateMoved), late dropped \(c.lateDropped), "
                + "missing filled \(c.missingRepeated + c.missingNeutral), disconnected \(c.disconnectedFilled); scores \(result.summary.scores)\n")
        return CommandLineTool.exitSuccess
    }
}
