import LockstepClient
import LockstepCore
import LockstepReplay
import LockstepBots

/// `lockstep bots`: plays arena matches with seeded bots against a running server.
public enum BotsCommand: Command {
    public static let spec = CommandSpec(
        path: ["bots"], summary: "Play arena matches with seeded bots against a running server.",
        discussion: """
            Creates the rooms through the admin API, connects one bot per slot (with prediction and
            rollback, and optional simulated latency, jitter and connection loss), waits for the
            matches to end and prints what happened per bot. The server writes each match's replay:
            check them with 'lockstep replay verify Replays/live/*.lsr'. Exit status 1 if a match
            did not finish, a desync happened, or bots of a room disagree on the final hash. A bot
            whose server is gone gives up once its reconnect attempts are spent (about 35 s) and
            says so. "reconnects" counts reconnects that succeeded. With --url and --token the bots
            join rooms made elsewhere instead (one bot per token; no admin key needed). With
            --sync-test N every bot re-simulates the last N ticks each tick and reports the first
            tick whose hash differs (exit status 1).
            """,
        options: [
            OptionSpec("--host", value: "HOST", help: "Server address.", default: "127.0.0.1", environment: "LOCKSTEP_HOST"),
            OptionSpec("--port", value: "PORT", help: "Server port.", default: "8080", environment: "LOCKSTEP_PORT"),
            OptionSpec("--admin-key", value: "KEY", help: "The server's admin key (printed in its first log line).", environment: "LOCKSTEP_ADMIN_KEY"),
            OptionSpec("--rooms", value: "N", help: "Rooms to create.", default: "1"),
            OptionSpec("--players", value: "N", help: "Players per room, 2 to 8.", default: "4"),
            OptionSpec("--rate", value: "HZ", help: "Tick rate.", default: "30"),
            OptionSpec("--ticks", value: "N", help: "Ticks per match.", default: "900"),
            OptionSpec("--seed", value: "SEED", help: "Seed of the first room (the next rooms add 1).", default: "1"),
            OptionSpec("--latency-ms", value: "MS", help: "Simulated one-way latency per bot.", default: "0"),
            OptionSpec("--jitter-ms", value: "MS", help: "Simulated jitter (± this).", default: "0"),
            OptionSpec("--loss-per-minute", value: "N", help: "Simulated connection losses per bot per minute.", default: "0"),
            OptionSpec("--url", value: "URL", help: "Join the room at this play URL (ws://HOST:PORT/v1/play?room=ID) instead of creating rooms."),
            OptionSpec("--token", value: "TOKEN", help: "A join token for --url: one bot per token (repeatable)."),
            OptionSpec("--sync-test", value: "N", help: "Each bot runs the sync test over the last N ticks (0: off).", default: "0"),
            OptionSpec("--json", help: "Print one JSON object per bot."),
        ])

    public static func run(_ arguments: ParsedArguments, output: CommandOutput) throws -> Int32 {
        let tokens = arguments.allValues("--token")
        let joining: PlayURL?
        do {
            joining = try arguments.value("--url").map { url throws(PlayURL.Invalid) in try PlayURL(parsing: url) }
        } catch {
            throw UsageError("option '--url': \(error)")
        }
        guard (joining == nil) == tokens.isEmpty else { throw UsageError("--url and --token go together: the room's play URL and one token per bot") }
        let key = arguments.value("--admin-key") ?? ""
        guard joining != nil || !key.isEmpty else {
            throw UsageError("--admin-key (or LOCKSTEP_ADMIN_KEY) is required: the server prints its key when it starts")
        }
        var options = BotRunner.Options(port: try arguments.integer("--port", in: 1...65535) ?? 8080, adminKey: key)
        options.host = arguments.value("--host") ?? "127.0.0.1"
        options.rooms = try arguments.integer("--rooms", in: 1...10_000) ?? 1
        options.players = try arguments.integer("--players", in: 2...8) ?? 4
        options.tickRate = try arguments.integer("--rate", in: 1...240) ?? 30
        options.ticks = try arguments.integer("--ticks", in: 1...10_000_000) ?? 900
        options.seed = try arguments.unsigned64("--seed") ?? 1
        options.latencyNanos = UInt64(try arguments.integer("--latency-ms", in: 0...10_000) ?? 0) * 1_000_000
        options.jitterNanos = UInt64(try arguments.integer("--jitter-ms", in: 0...10_000) ?? 0) * 1_000_000
        options.connectionLossPerMinute = Double(try arguments.integer("--loss-per-minute", in: 0...600) ?? 0)
        options.syncTestDistance = try arguments.integer("--sync-test", in: 0...64) ?? 0
        options.loops = min(2, options.rooms)
        let seconds = options.ticks / options.tickRate
        options.timeoutNanos = UInt64(seconds + 60) * 1_000_000_000
        let runner: BotRunner
        do {
            runner = try BotRunner(options: options)
            if let joining { try runner.join(url: joining, tokens: tokens) } else { try runner.start() }
        } catch {
            throw CommandFailure("cannot start the bots: \(error)")
        }
        if let joining {
            output.err("bots: \(tokens.count) bot(s) joining \(joining.room ?? "the tokens' room") at \(joining.host):\(joining.port)\n")
        } else {
            output.err("bots: \(options.rooms) room(s) × \(options.players) players, \(options.ticks) ticks at \(options.tickRate) Hz (about \(seconds) s)\n")
        }
        let finished = runner.wait { done, total in output.err("bots: \(done)/\(total) finished\n") }
        let reports = runner.reports()
        runner.stop()
        var failed = !finished
        for room in runner.roomIDs {
            let hashes = Set(reports.filter { $0.room == room }.map(\.finalHash))
            if hashes.count != 1 { failed = true }
        }
        for report in reports {
            if report.desyncs > 0 || report.endReason == nil { failed = true }
            if let tick = report.syncTestMismatch {
                failed = true
                output.err("Error: \(report.room) slot \(report.slot): the sync test re-simulated tick \(tick.rawValue) to another hash\n")
            }
            if let failure = report.failure { output.err("Error: \(report.room) slot \(report.slot): \(failure)\n") }
            if arguments.flag("--json") {
                output.out(JSON.object([
                    ("room", .string(report.room)), ("slot", .number(report.slot)), ("ticks", .number(report.ticks)),
                    ("finalHash", .string(hex64(report.finalHash))), ("rollbacks", .number(Int(report.rollbacks))),
                    ("maxRollbackDepth", .number(report.maxRollbackDepth)), ("resimulatedTicks", .number(Int(report.resimulatedTicks))),
                    ("desyncs", .number(report.desyncs)), ("reconnects", .number(report.reconnects)), ("inputDelay", .number(report.inputDelay)),
                    ("end", .string(report.endReason.map { "\($0)" } ?? "unfinished")),
                ] + (report.failure.map { [("error", JSON.string($0.description))] } ?? [])
                    + (report.syncTestMismatch.map { [("syncTestMismatch", JSON.number(Int($0.rawValue)))] } ?? [])) + "\n")
            } else {
                output.out(
                    "\(report.room) slot \(report.slot): \(report.ticks) ticks, final hash \(hex64(report.finalHash)), "
                        + "rollbacks \(report.rollbacks) (max depth \(report.maxRollbackDepth), \(report.resimulatedTicks) ticks re-simulated), "
                        + "desyncs \(report.desyncs), reconnects \(report.reconnects), input delay \(report.inputDelay), "
                        + "end \(report.endReason.map { "\($0)" } ?? "unfinished")\n")
            }
        }
        return failed ? CommandLineTool.exitFailure : CommandLineTool.exitSuccess
    }
}
