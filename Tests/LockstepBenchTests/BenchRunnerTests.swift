import LockstepTesting
import Testing
@testable import LockstepBench

/// A tiny whole run over real sockets: the bench starts `lockstep serve`, plays 2 rooms for about
/// a second, and reports sane numbers. No timing is asserted, only that everything was measured.
@Suite(.serialized) struct BenchRunnerTests {
    @Test func aTwoRoomRunAgainstAChildServerMeasuresEveryConnection() throws {
        let executable = try #require(ServerProcess.siblingExecutable(), "the lockstep executable is built with the tests")
        var options = BenchOptions(target: .child(executable: executable, serverLoops: 1))
        options.roomCounts = [2]
        options.rampSeconds = 0.1
        options.warmupSeconds = 0.5
        options.durationSeconds = 1
        options.startTimeoutSeconds = 10
        #expect(options.validate() == nil)
        let report = try BenchRunner(options: options).run(commandLine: "test")
        let run = try #require(report.runs.first)
        #expect(run.connections == 8)
        #expect(run.connected == 8)
        #expect(run.started == 8)
        #expect(run.closedEarly == 0)
        #expect(run.errors == 0)
        #expect(run.latency.count > 0)
        #expect(run.latency.p50 <= run.latency.p99 && run.latency.p99 <= run.latency.max)
        #expect(run.ticks.framesReceived == run.latency.count)
        #expect(run.inputs.sent > 0)
        #expect(run.inputs.slotsSeen > 0)
        #expect(run.server.cpuSeconds != nil)
        #expect(run.server.rssBytes ?? 0 > 0)
        // Two rooms at 30 Hz wake the server's loop at least 30 times a second (their ticks),
        // and far fewer than a thousand times a frame.
        let wakeups = try #require(run.server.wakeupsPerSecond)
        #expect(wakeups >= 30 && wakeups < 30_000, "\(wakeups) wake-ups a second")
        #expect(try BenchReport.decode(try report.json()) == report)
    }

    @Test func impossibleOptionsAreRejectedWithAMessage() {
        var options = BenchOptions(target: .child(executable: "/bin/false", serverLoops: nil))
        options.roomCounts = []
        #expect(options.validate() == "no room count given")
        options.roomCounts = [10]
        options.players = 0
        #expect(options.validate() != nil)
        options.players = 4
        options.durationSeconds = 0
        #expect(options.validate() != nil)
    }

    @Test func urlsAreParsedIntoHostPortAndPath() {
        let play = BenchURL("ws://127.0.0.1:8080/v1/play")
        #expect(play?.host == "127.0.0.1" && play?.port == 8080 && play?.path == "/v1/play")
        #expect(BenchURL("http://10.0.0.2")?.port == 80)
        #expect(BenchURL("ftp://x") == nil)
        #expect(BenchURL("ws://:80") == nil)
        #expect(BenchURL("ws://h:99999") == nil)
    }
}
