import Testing
@testable import LockstepCLI

@Suite struct BenchEchoCommandTests {
    /// A tiny run (10 connections, 1 s) proves the benchmark connects, echoes and reports.
    @Test func smallRunReportsEveryConnectionAndSomeRoundTrips() {
        let output = CapturedOutput()
        let status = CommandLineTool.main(["bench-echo", "--connections", "10", "--seconds", "1"], output: output)
        #expect(status == 0)
        #expect(output.stdout.contains("connections=10 "))
        #expect(!output.stdout.contains("round_trips=0 "))
    }

    @Test func badConnectionCountIsAUsageError() {
        let output = CapturedOutput()
        #expect(CommandLineTool.main(["bench-echo", "--connections", "0"], output: output) == 64)
    }
}
