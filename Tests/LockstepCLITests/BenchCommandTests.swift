import LockstepBench
import Testing
@testable import LockstepCLI

/// `lockstep bench` refuses bad command lines with `Error: … / Usage: …` and 64 before running anything.
@Suite struct BenchCommandTests {
    func run(_ arguments: [String]) -> (status: Int32, error: String) {
        let output = CapturedOutput()
        let status = CommandLineTool.main(["bench"] + arguments, output: output)
        return (status, output.stderr)
    }

    @Test(arguments: [
        ["--rooms", "0"], ["--sweep", "10,x"], ["--players", "99"], ["--duration", "-1"], ["--clock-offset", "maybe"],
        ["--url", "ws://127.0.0.1:8080/v1/play"], ["--url", "http://127.0.0.1:8080"], ["--admin-url", "http://127.0.0.1:1"],
        ["--url", "ws://127.0.0.1:8080/v1/play", "--admin-key", "k", "--server-arg", "--loops=1"], ["--bogus"],
    ])
    func aBadCommandLineIsAUsageError(arguments: [String]) {
        let (status, error) = run(arguments)
        #expect(status == 64)
        #expect(error.hasPrefix("Error: "))
        #expect(error.contains("Usage: lockstep bench"))
    }

    @Test func theOptionsBecomeBenchOptions() throws {
        let parsed = try ParsedArguments(
            ["--sweep", "5, 10", "--players", "2", "--spectators", "1", "--rate", "60", "--duration", "1.5", "--server", "/bin/true",
             "--server-loops", "1", "--server-arg=--phase-slots=64", "--budget-us", "1500"],
            spec: BenchCommand.spec)
        let options = try BenchCommand.options(from: parsed)
        #expect(options.roomCounts == [5, 10])
        #expect(options.players == 2 && options.spectators == 1 && options.tickRate == 60)
        #expect(options.durationSeconds == 1.5 && options.p99BudgetMicros == 1500)
        #expect(options.target == .child(executable: "/bin/true", serverLoops: 1))
        #expect(options.serverArguments == ["--phase-slots=64"])
        #expect(!options.measuresClockOffset)
    }

    @Test func aRemoteURLMeasuresTheClockOffsetByDefault() throws {
        let parsed = try ParsedArguments(["--url", "ws://10.1.2.3:8080/v1/play", "--admin-key", "k"], spec: BenchCommand.spec)
        let options = try BenchCommand.options(from: parsed)
        #expect(options.measuresClockOffset)
        guard case .external(let play, let admin, let key, let pid) = options.target else {
            Issue.record("not an external target")
            return
        }
        #expect(play.host == "10.1.2.3" && admin.port == 8080 && key == "k" && pid == nil)
    }
}
