import LockstepClient
import LockstepTesting
import Testing
@testable import LockstepCLI

#if canImport(Glibc)
import Glibc
import LockstepBench
#endif

/// The README's quick start, as written: start the server, run the bots, verify their replays.
@Suite(.serialized) struct QuickStartTests {
    @Test func serverThenBotsThenVerifyWorksAsTheReadmeSays() throws {
        let executable = try #require(ServerProcess.siblingExecutable())
        let replays = makeTemporaryDirectory("lockstep-quickstart")
        // `lockstep serve` with only what a test needs changed: a free port, a known key, a temp folder.
        let server = try ServerProcess(executable: executable, arguments: ["--admin-key", "quick", "--replays", replays, "--log-level", "warning"])
        defer { server.stop() }
        let bots = CapturedOutput()
        let status = CommandLineTool.main(
            ["bots", "--port", "\(server.port)", "--admin-key", "quick", "--rooms", "2", "--ticks", "90", "--rate", "30",
             "--latency-ms", "20", "--jitter-ms", "10"],
            output: bots)
        #expect(status == 0, "\(bots.stderr)")
        let lines = bots.stdout.split(separator: "\n")
        #expect(lines.count == 8)
        #expect(lines.allSatisfy { $0.contains("90 ticks") && $0.contains("desyncs 0") && $0.contains("end tickLimit") })
        let files = try listReplays(replays)
        #expect(files.count == 2)
        let verify = CapturedOutput()
        #expect(CommandLineTool.main(["replay", "verify"] + files, output: verify) == 0)
        // The verifier's final hash is the bots' final hash, room by room.
        for line in verify.stdout.split(separator: "\n") {
            let hash = try #require(line.split(separator: " ").firstIndex(of: "hash").map { line.split(separator: " ")[$0 + 1] })
            #expect(bots.stdout.contains(String(hash.dropLast())))
        }
    }

    func listReplays(_ directory: String) throws -> [String] {
        guard let dir = opendir(directory) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name.hasSuffix(".lsr") { names.append(directory + "/" + name) }
        }
        return names.sorted()
    }
}
