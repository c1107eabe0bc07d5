import LockstepReplay
import Testing
@testable import LockstepCLI

#if canImport(Glibc)
import Glibc
#endif

@Suite struct ReplayCommandsTests {
    static func path(_ name: String) -> String { "/tmp/lockstep-cli-\(getpid())-\(name).lsr" }

    @Test func recordThenVerifyThenInfoSucceedAndJSONNamesTheFinalHash() throws {
        let file = Self.path("record")
        defer { unlink(file) }
        let record = CapturedOutput()
        #expect(CommandLineTool.main(["replay", "record", "--players", "3", "--ticks", "200", "--seed", "0x2a", "--chaos", file], output: record) == 0)
        let verify = CapturedOutput()
        #expect(CommandLineTool.main(["replay", "verify", "--json", file], output: verify) == 0)
        #expect(verify.stdout.contains("\"status\":\"ok\""))
        #expect(verify.stdout.contains("\"ticks\":200"))
        let info = CapturedOutput()
        #expect(CommandLineTool.main(["replay", "info", file], output: info) == 0)
        #expect(info.stdout.contains("players:      3"))
        #expect(info.stdout.contains("seed:         0x000000000000002a"))
    }

    @Test func verifyExitsOneWhenAnyFileFailsAndSaysWhy() throws {
        let good = Self.path("good")
        let bad = Self.path("bad")
        defer { unlink(good); unlink(bad) }
        #expect(CommandLineTool.main(["replay", "record", "--ticks", "90", good], output: CapturedOutput()) == 0)
        var bytes = try readReplayFile(good)
        bytes.removeLast(10)
        let fd = open(bad, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        let output = CapturedOutput()
        #expect(CommandLineTool.main(["replay", "verify", good, bad, "/nonexistent.lsr"], output: output) == 1)
        let lines = output.stdout.split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines[0].contains(": ok: 90 ticks"))
        #expect(lines[1].contains("truncated"))
        #expect(lines[2].contains("cannot open"))
        // The truncated file verifies up to its last complete record when allowed.
        let allowed = CapturedOutput()
        #expect(CommandLineTool.main(["replay", "verify", "--allow-truncated", bad], output: allowed) == 0)
        #expect(allowed.stdout.contains("truncated: recovered"))
    }

    @Test func badRecordOptionsAreUsageErrors() {
        let output = CapturedOutput()
        #expect(CommandLineTool.main(["replay", "record", "--players", "9", "/tmp/x.lsr"], output: output) == 64)
        #expect(output.stderr.contains("--players"))
        #expect(CommandLineTool.main(["replay", "record", "--late-policy", "maybe", "/tmp/x.lsr"], output: CapturedOutput()) == 64)
        #expect(CommandLineTool.main(["replay", "info"], output: CapturedOutput()) == 64)
    }
}
