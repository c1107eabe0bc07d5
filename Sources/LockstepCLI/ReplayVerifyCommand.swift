import LockstepCore
import LockstepReplay

#if canImport(Glibc)
import Glibc
#endif

/// `lockstep replay verify FILE...`: re-simulates replays and compares every checkpoint.
public enum ReplayVerifyCommand: Command {
    public static let spec = CommandSpec(
        path: ["replay", "verify"], summary: "Re-simulate replays and check every state-hash checkpoint.",
        discussion: """
            Prints one line per file: 'ok' with the ticks, checkpoints and final hash, or the first
            mismatching tick with the expected and actual hashes, or why the file cannot be read.
            Exit status 0 only if every file verifies.
            """,
        options: [
            OptionSpec("--json", help: "Print one JSON object per file (one per line) instead of text."),
            OptionSpec("--allow-truncated", help: "Accept a truncated replay (recovered up to its last complete record)."),
        ],
        positionals: [PositionalSpec("FILE", help: "Replay files to verify.", repeating: true)])

    public static func run(_ arguments: ParsedArguments, output: CommandOutput) throws -> Int32 {
        let json = arguments.flag("--json")
        let allowTruncated = arguments.flag("--allow-truncated")
        var allOK = true
        for path in arguments.positionals {
            let line = verifyOne(path, allowTruncated: allowTruncated, simulations: arguments.simulations)
            allOK = allOK && line.ok
            output.out((json ? line.json : line.text) + "\n")
        }
        return allOK ? CommandLineTool.exitSuccess : CommandLineTool.exitFailure
    }

    struct Line {
        var ok: Bool
        var text: String
        var json: String
    }

    static func verifyOne(_ path: String, allowTruncated: Bool, simulations: SimulationRegistry) -> Line {
        let started = monotonicNanoseconds()
        let replay: Replay
        do {
            replay = try ReplayReader.read(try readReplayFile(path), mode: allowTruncated ? .recover : .strict)
        } catch {
            return Line(
                ok: false, text: "\(path): error: \(error)",
                json: JSON.object([("file", .string(path)), ("status", .string("error")), ("error", .string(error.description))]))
        }
        let report: VerificationReport
        do {
            report = try ReplayVerifier.verify(replay, using: simulations)
        } catch {
            return Line(
                ok: false, text: "\(path): error: \(error)",
                json: JSON.object([("file", .string(path)), ("status", .string("error")), ("error", .string(error.description))]))
        }
        let millis = Double(monotonicNanoseconds() - started) / 1e6
        let timing = String(Int(millis.rounded()))
        var fields: [(String, JSON)] = [
            ("file", .string(path)), ("status", .string(report.isOK ? "ok" : "mismatch")),
            ("simulation", .string("\(replay.header.simulationID)@\(replay.header.simulationVersion)")),
            ("ticks", .number(report.ticks)), ("checkpoints", .number(report.checkpointsChecked)),
            ("finalHash", .string(hex64(report.finalHash))), ("truncated", .bool(report.isTruncated)),
            ("finalHashRecorded", .bool(report.isFinalHashRecorded)),
            ("milliseconds", .number(Int(millis.rounded()))),
        ]
        if let mismatch = report.mismatch {
            fields.append(("mismatchTick", .number(Int(mismatch.tick.rawValue))))
            fields.append(("expected", .string(hex64(mismatch.expected))))
            fields.append(("actual", .string(hex64(mismatch.actual))))
            return Line(
                ok: false,
                text: "\(path): MISMATCH at tick \(mismatch.tick): expected \(hex64(mismatch.expected)), actual \(hex64(mismatch.actual))",
                json: JSON.object(fields))
        }
        var truncatedNote = replay.recovery.map { " (truncated: recovered \(report.ticks) ticks, \($0.discardedBytes) bytes lost)" } ?? ""
        if replay.footer != nil && !report.isFinalHashRecorded { truncatedNote += " (the replay does not record its final hash)" }
        return Line(
            ok: true,
            text: "\(path): ok: \(report.ticks) ticks, \(report.checkpointsChecked) checkpoints, final hash \(hex64(report.finalHash)), \(timing) ms\(truncatedNote)",
            json: JSON.object(fields))
    }
}

/// Monotonic time in nanoseconds (for reporting durations only; never used by a simulation).
func monotonicNanoseconds() -> UInt64 {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
}
