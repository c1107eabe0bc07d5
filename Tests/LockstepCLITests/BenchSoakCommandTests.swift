import LockstepBench
import Testing

@testable import LockstepCLI

/// `lockstep bench --soak` reads its duration and options, and refuses what makes no sense for a soak.
@Suite struct BenchSoakCommandTests {
    @Test(arguments: [
        ["--soak", "x"], ["--soak", "0"], ["--soak", "1h", "--sweep", "1,2"], ["--soak", "1h", "--duration", "5"],
        ["--sample-every", "10"], ["--soak", "10", "--sample-every", "5"], ["--soak", "1h", "--timer-only"],
        ["--soak", "1h", "--reconnect-share", "2"], ["--no-p99-verdict"],
    ])
    func aBadSoakCommandLineIsAUsageError(arguments: [String]) {
        let output = CapturedOutput()
        let status = CommandLineTool.main(["bench"] + arguments, output: output)
        #expect(status == 64)
        #expect(output.stderr.hasPrefix("Error: "))
    }

    @Test func theDefaultsAreHalfTheMeasuredCapacityWithASpectatorAndAQuarterWarmUp() throws {
        let parsed = try ParsedArguments(["--soak", "1h", "--server", "/bin/true"], spec: BenchCommand.spec)
        let options = try BenchSoakCommand.options(from: parsed)
        #expect(options.durationSeconds == 3600)
        #expect(options.rooms == 125 && options.bench.players == 4 && options.bench.spectators == 1)
        #expect(options.effectiveWarmupSeconds == 900)
        #expect(options.sampleEverySeconds == 60 && options.matchSeconds == 60 && options.reconnectShare == 0.25)
        #expect(options.thresholds.judgesP99Drift)
        let ci = try ParsedArguments(
            ["--soak", "2m", "--sample-every", "10", "--no-p99-verdict", "--server", "/bin/true"],
            spec: BenchCommand.spec)
        #expect(try BenchSoakCommand.options(from: ci).thresholds.judgesP99Drift == false)
    }

    @Test func theSoakOptionsAreRead() throws {
        let parsed = try ParsedArguments(
            [
                "--soak", "2m", "--rooms", "20", "--spectators", "2", "--sample-every", "10", "--match-seconds", "20",
                "--reconnect-share", "0.5", "--warmup", "900", "--server", "/bin/true",
            ],
            spec: BenchCommand.spec)
        #expect(throws: UsageError.self) { try BenchSoakCommand.options(from: parsed) }  // warm-up longer than the soak
        let fine = try ParsedArguments(
            [
                "--soak", "2m", "--rooms", "20", "--spectators", "2", "--sample-every", "10", "--match-seconds", "20",
                "--reconnect-share", "0.5", "--warmup", "30", "--server", "/bin/true",
            ],
            spec: BenchCommand.spec)
        let options = try BenchSoakCommand.options(from: fine)
        #expect(options.durationSeconds == 120 && options.rooms == 20 && options.bench.spectators == 2)
        #expect(options.sampleEverySeconds == 10 && options.matchSeconds == 20 && options.reconnectShare == 0.5)
        #expect(options.effectiveWarmupSeconds == 30)
    }

    @Test func durationsTakeSecondsMinutesOrHours() {
        #expect(BenchSoakCommand.parseDuration("90") == 90)
        #expect(BenchSoakCommand.parseDuration("90s") == 90)
        #expect(BenchSoakCommand.parseDuration("2m") == 120)
        #expect(BenchSoakCommand.parseDuration("1.5h") == 5400)
        #expect(BenchSoakCommand.parseDuration("h") == nil)
        #expect(BenchSoakCommand.parseDuration("-1m") == nil)
        #expect(BenchSoakCommand.parseDuration("1d") == nil)
    }
}
