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
        // The round-trip percentiles come from the shared histogram: ordered, and within its max.
        let figures = ["rtt_p50_us", "rtt_p99_us", "rtt_p999_us", "rtt_max_us"].map { key in
            output.stdout.split(whereSeparator: { $0 == " " || $0 == "\n" })
                .first { $0.hasPrefix(key + "=") }.flatMap { UInt64($0.dropFirst(key.count + 1)) }
        }
        #expect(figures.allSatisfy { $0 != nil })
        let values = figures.compactMap { $0 }
        #expect(values == values.sorted())
    }

    @Test func badConnectionCountIsAUsageError() {
        let output = CapturedOutput()
        #expect(CommandLineTool.main(["bench-echo", "--connections", "0"], output: output) == 64)
    }
}
