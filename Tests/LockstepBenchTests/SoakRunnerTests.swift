import Testing

@testable import LockstepBench

/// A short soak over real sockets against a `lockstep serve` the bench starts: matches end and are
/// replaced while it runs, players drop and resume, spectators join mid-match, and every sample
/// reads the server. Nothing about timing is asserted (the verdict's p99 is a timing figure).
@Suite(.serialized) struct SoakRunnerTests {
    @Test func aShortSoakReplacesRoomsReconnectsPlayersAndSamplesTheServer() throws {
        let executable = try #require(
            ServerProcess.siblingExecutable(), "the lockstep executable is built with the tests")
        var bench = BenchOptions(target: .child(executable: executable, serverLoops: 1))
        bench.players = 2
        bench.spectators = 1
        bench.rampSeconds = 0.2
        var options = SoakOptions(bench: bench, durationSeconds: 15)
        options.rooms = 3
        options.matchSeconds = 4
        options.sampleEverySeconds = 2
        options.warmupSeconds = 4
        options.reconnectShare = 1
        options.reconnectPauseSeconds = 0.3
        #expect(options.validate() == nil)
        let report = try SoakRunner(options: options).run(commandLine: "test")
        let counts = report.counts
        // Staggered first matches (1.3, 2.7 and 4 s) then 4 s ones: each place ends several in 15 s.
        #expect(counts.matchesEnded >= 6)
        #expect(counts.matchesCreated > counts.matchesEnded)
        #expect(counts.matchesForced == 0)
        #expect(counts.reconnects >= 1 && counts.reconnects <= counts.reconnectsAsked)
        #expect(counts.spectatorsJoined >= 3)
        // The only ERROR a bot may get is inputLate (22): on a loaded machine an input can reach the
        // server after its tick was confirmed. Anything else would be the bench speaking the protocol wrong.
        #expect(report.samples.compactMap(\.lastErrorCode).allSatisfy { $0 == 22 })
        #expect(counts.framesMeasured > 0)
        // A sample every 2 s and one at the end: 2, 4, …, 14, 15.
        #expect(report.samples.map(\.seconds) == [2, 4, 6, 8, 10, 12, 14, 15])
        for sample in report.samples {
            #expect(sample.rssBytes ?? 0 > 0)
            #expect(sample.openDescriptors ?? 0 > 0)
            #expect(sample.roomsRunning != nil && sample.connectionsOpen != nil)
        }
        // Rooms kept being replaced: the running total of ended matches rose across the samples.
        #expect(report.samples.last?.matchesEnded ?? 0 > report.samples.first?.matchesEnded ?? 0)
        #expect(report.samples.contains { ($0.roomsEnded ?? 0) > 0 })
        #expect(report.verdict.checks.map(\.name) == ["samples", "load", "rss", "descriptors", "p99-drift"])
        #expect(try SoakReport.decode(try report.json()) == report)
        #expect(SoakHTMLReport.charts(report).count == 4)
        #expect(SoakHTMLReport.render(report).contains("<svg"))
    }

    @Test func impossibleSoakOptionsAreRejectedWithAMessage() {
        var options = SoakOptions(
            bench: BenchOptions(target: .child(executable: "/bin/false", serverLoops: nil)), durationSeconds: 60)
        #expect(options.validate() != nil)  // one sample a minute: none after a 15 s warm-up
        options.sampleEverySeconds = 10
        #expect(options.validate() == nil)
        options.sampleEverySeconds = 20  // 45 s after a 15 s warm-up: 2 samples
        #expect(options.validate()?.contains("at least 3 samples") == true)
        options.sampleEverySeconds = 10
        options.warmupSeconds = 60
        #expect(options.validate() == "the warm-up must be shorter than the soak")
        options.warmupSeconds = nil
        options.matchSeconds = 1
        #expect(options.validate() != nil)
        options.matchSeconds = 60
        options.reconnectShare = 2
        #expect(options.validate() != nil)
    }
}
