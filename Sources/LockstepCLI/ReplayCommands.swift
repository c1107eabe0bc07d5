/// `lockstep replay verify FILE...`: re-simulates replays and compares every checkpoint.
public enum ReplayVerifyCommand: Command {
    public static let spec = CommandSpec(
        path: ["replay", "verify"], summary: "Re-simulate replays and check every state-hash checkpoint.",
        options: [OptionSpec("--json", help: "Print one JSON object per file instead of text.")],
        positionals: [PositionalSpec("FILE", help: "Replay files to verify.", repeating: true)])

    public static func run(_ arguments: ParsedArguments, output: CommandOutput) throws -> Int32 {
        throw CommandFailure("not implemented yet")
    }
}

/// `lockstep replay info FILE`: prints a replay's header, players, duration, size and events.
public enum ReplayInfoCommand: Command {
    public static let spec = CommandSpec(
        path: ["replay", "info"], summary: "Print a replay's header, players, duration, size and events.",
        positionals: [PositionalSpec("FILE", help: "The replay file.")])

    public static func run(_ arguments: ParsedArguments, output: CommandOutput) throws -> Int32 {
        throw CommandFailure("not implemented yet")
    }
}

/// `lockstep replay record`: plays a match with seeded bots and writes its replay.
public enum ReplayRecordCommand: Command {
    public static let spec = CommandSpec(
        path: ["replay", "record"], summary: "Play a match with seeded bots and write its replay.",
        positionals: [PositionalSpec("OUTPUT", help: "Where to write the replay.")])

    public static func run(_ arguments: ParsedArguments, output: CommandOutput) throws -> Int32 {
        throw CommandFailure("not implemented yet")
    }
}
