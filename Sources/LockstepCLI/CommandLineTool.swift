import LockstepCore
import LockstepSimulation

/// The `lockstep` command: finds the subcommand named by the first words and runs it.
public enum CommandLineTool {
    /// Exit status for success.
    public static let exitSuccess: Int32 = 0
    /// Exit status for a failure while running.
    public static let exitFailure: Int32 = 1
    /// Exit status for a usage error (BSD `EX_USAGE`).
    public static let exitUsage: Int32 = 64

    /// Every subcommand, in the order `--help` lists them.
    public static let commands: [any Command.Type] = [
        ReplayVerifyCommand.self,
        ReplayInfoCommand.self,
        ReplayRecordCommand.self,
        ServeCommand.self,
        TokenCommand.self,
        BotsCommand.self,
        BenchEchoCommand.self,
        BenchTimersCommand.self,
        BenchCommand.self,
    ]

    /// Runs the tool on `arguments` (without the program name) and returns the exit status.
    ///
    /// `simulations` are the games the program registered: the server re-simulates their rooms
    /// and `replay verify` re-simulates their replays.
    public static func main(
        _ arguments: [String], environment: [String: String] = [:], simulations: SimulationRegistry = .reference,
        output: CommandOutput
    ) -> Int32 {
        // Longest matching path wins: `replay verify` before `replay`.
        let match = commands
            .filter { arguments.starts(with: $0.spec.path) }
            .max { $0.spec.path.count < $1.spec.path.count }
        guard let command = match else {
            if arguments.isEmpty || arguments == ["-h"] || arguments == ["--help"] || arguments == ["help"] {
                output.out(topLevelHelp(prefix: []))
                return arguments.isEmpty ? exitUsage : exitSuccess
            }
            let prefix = Array(arguments.prefix { !$0.hasPrefix("-") })
            let group = commands.filter { $0.spec.path.starts(with: prefix.prefix(1)) }
            if !prefix.isEmpty, !group.isEmpty {
                let rest = Array(arguments.dropFirst())
                if rest.isEmpty || rest == ["-h"] || rest == ["--help"] {
                    output.out(topLevelHelp(prefix: [prefix[0]]))
                    return rest.isEmpty ? exitUsage : exitSuccess
                }
                return usageFailure(
                    "unknown subcommand '\(prefix.joined(separator: " "))'",
                    usage: "lockstep \(prefix[0]) <subcommand>", helpPath: [prefix[0]], output: output)
            }
            return usageFailure(
                "unknown command '\(arguments[0])'", usage: "lockstep <command> [options]", helpPath: [],
                output: output)
        }
        let spec = command.spec
        let rest = Array(arguments.dropFirst(spec.path.count))
        do {
            var parsed = try ParsedArguments(rest, spec: spec, environment: environment)
            parsed.simulations = simulations
            if parsed.wantsHelp {
                output.out(spec.helpText)
                return exitSuccess
            }
            return try command.run(parsed, output: output)
        } catch let error as UsageError {
            return usageFailure(error.message, usage: spec.usageLine, helpPath: spec.path, output: output)
        } catch let error as CommandFailure {
            output.err("Error: \(error.message)\n")
            return exitFailure
        } catch {
            output.err("Error: \(error)\n")
            return exitFailure
        }
    }

    private static func usageFailure(
        _ message: String, usage: String, helpPath: [String], output: CommandOutput
    ) -> Int32 {
        let helpCommand = (["lockstep"] + helpPath + ["--help"]).joined(separator: " ")
        output.err("Error: \(message)\nUsage: \(usage)\n  See '\(helpCommand)'.\n")
        return exitUsage
    }

    /// The overview listing the subcommands under `prefix`.
    static func topLevelHelp(prefix: [String]) -> String {
        var lines = [
            "OVERVIEW: Lockstep, a frame-synchronized realtime battle server.",
            "",
            "USAGE: lockstep \(prefix.isEmpty ? "" : prefix.joined(separator: " ") + " ")<subcommand> [options]",
            "",
            "SUBCOMMANDS:",
        ]
        for command in commands where command.spec.path.starts(with: prefix) {
            let name = command.spec.path.joined(separator: " ")
            let padded = "  " + name
            lines.append(padded + String(repeating: " ", count: max(2, 26 - padded.count)) + command.spec.summary)
        }
        lines.append("")
        lines.append("  See 'lockstep <subcommand> --help' for the options of each.")
        return lines.joined(separator: "\n") + "\n"
    }
}
