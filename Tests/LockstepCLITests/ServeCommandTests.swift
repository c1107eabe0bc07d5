import Testing

#if canImport(Glibc)
import Glibc
#endif
import LockstepEventLoop
import LockstepServer
@testable import LockstepCLI

@Suite struct ServeCommandTests {
    @Test func defaultsAreLoopbackPort8080AndTheIssuesTimeouts() throws {
        let configuration = try ServeCommand.networkConfiguration(from: ParsedArguments([], spec: ServeCommand.spec))
        #expect(configuration.host == "127.0.0.1")
        #expect(configuration.port == 8080)
        #expect(configuration.loopCount == nil)
        #expect(configuration.handshakeTimeout == .seconds(10))
    }

    @Test func flagsAndEnvironmentSetTheConfiguration() throws {
        let arguments = try ParsedArguments(
            ["--port", "9001", "--loops", "3", "--echo", "--handshake-timeout-ms", "250"], spec: ServeCommand.spec,
            environment: ["LOCKSTEP_HOST": "0.0.0.0"])
        let configuration = try ServeCommand.networkConfiguration(from: arguments)
        #expect(configuration.host == "0.0.0.0")
        #expect(configuration.port == 9001)
        #expect(configuration.loopCount == 3)
        #expect(configuration.handshakeTimeout == .milliseconds(250))
        #expect(configuration.maxMessageSize == 16 * 1024 * 1024)
    }

    /// The outbound budget defaults to a quarter of the memory the process may use; a number of
    /// MiB sets it. The play endpoint's cap is a flag too; the echo endpoint keeps its own.
    @Test func outboundBudgetIsDerivedFromMemoryAndPlayCapIsAFlag() throws {
        let automatic = try ServeCommand.networkConfiguration(from: ParsedArguments([], spec: ServeCommand.spec))
        #expect(automatic.outboundBudgetBytes == MemoryLimit.defaultOutboundBudget(memoryBytes: MemoryLimit.bytes()))
        #expect(MemoryLimit.defaultOutboundBudget(memoryBytes: 8 << 30) == 2 << 30)
        #expect(MemoryLimit.defaultOutboundBudget(memoryBytes: 128 << 20) == 64 << 20)
        func parse(_ arguments: [String]) throws -> ParsedArguments { try ParsedArguments(arguments, spec: ServeCommand.spec) }
        let set = try ServeCommand.networkConfiguration(from: parse(["--outbound-budget-mib", "300"]))
        #expect(set.outboundBudgetBytes == 300 << 20)
        #expect(throws: UsageError.self) { try ServeCommand.networkConfiguration(from: parse(["--outbound-budget-mib", "lots"])) }
        let battle = try ServeCommand.battleConfiguration(from: parse(["--play-outbound-cap-kib", "256"]))
        #expect(battle.playOutboundLimits == OutboundLimits(highWatermark: 65_536, lowWatermark: 16_384, cap: 262_144))
        let defaults = try ServeCommand.battleConfiguration(from: ParsedArguments([], spec: ServeCommand.spec))
        #expect(defaults.playOutboundLimits.cap == 1 << 20)
    }

    /// Phase slots default to one per 500 µs of the period; `0` keeps every room on its own
    /// instant; a number sets the count.
    @Test func phaseSlotsAreAutomaticByDefaultAndCanBeSetOrTurnedOff() throws {
        let automatic = try ServeCommand.battleConfiguration(from: ParsedArguments([], spec: ServeCommand.spec))
        #expect(automatic.phaseSlots == nil)
        #expect(automatic.effectivePhaseSlots(period: 33_333_333) == 66)
        #expect(automatic.effectivePhaseSlots(period: 16_666_666) == 33)
        #expect(automatic.effectivePhaseSlots(period: 100_000) == 1)
        let named = try ServeCommand.battleConfiguration(from: ParsedArguments(["--phase-slots", "auto"], spec: ServeCommand.spec))
        #expect(named.phaseSlots == nil)
        let off = try ServeCommand.battleConfiguration(
            from: ParsedArguments([], spec: ServeCommand.spec, environment: ["LOCKSTEP_PHASE_SLOTS": "0"]))
        #expect(off.effectivePhaseSlots(period: 33_333_333) == 0)
        let set = try ServeCommand.battleConfiguration(from: ParsedArguments(["--phase-slots=128"], spec: ServeCommand.spec))
        #expect(set.effectivePhaseSlots(period: 33_333_333) == 128)
        #expect(throws: UsageError.self) {
            try ServeCommand.battleConfiguration(from: ParsedArguments(["--phase-slots", "many"], spec: ServeCommand.spec))
        }
    }

    @Test func badValuesAreUsageErrorsWithExit64() {
        for arguments in [["serve", "--port", "70000"], ["serve", "--log-level", "loud"], ["serve", "--loops", "0"],
                          ["serve", "--ping-interval-ms", "90000"]] {
            let output = CapturedOutput()
            #expect(CommandLineTool.main(arguments, output: output) == 64, "\(arguments)")
            #expect(output.stderr.hasPrefix("Error: "))
            #expect(output.stderr.contains("See 'lockstep serve --help'."))
        }
    }

    @Test func helpListsEveryOption() {
        let output = CapturedOutput()
        #expect(CommandLineTool.main(["serve", "--help"], output: output) == 0)
        for option in ["--host", "--port", "--echo", "--loops", "--log-level"] {
            #expect(output.stdout.contains(option))
        }
    }
}

@Suite struct ServeSettingsPrecedenceTests {
    /// Flags beat environment variables, which beat the config file, which beats the defaults.
    @Test func flagsBeatEnvironmentBeatConfigFileBeatDefaults() throws {
        let path = "/tmp/lockstep-config-\(UInt32.random(in: 0...UInt32.max)).json"
        let json = #"{"port": 9100, "replays": "/from/file", "max-rooms": 7, "admin-key": "file-key", "echo": true}"#
        FileWriter.write(json, to: path)
        var arguments = try ParsedArguments(
            ["--port", "9200"], spec: ServeCommand.spec, environment: ["LOCKSTEP_REPLAYS": "/from/env"])
        try arguments.addConfigFile(try ConfigFile.load(path))
        let network = try ServeCommand.networkConfiguration(from: arguments)
        let battle = try ServeCommand.battleConfiguration(from: arguments)
        #expect(network.port == 9200)  // flag
        #expect(battle.replayDirectory == "/from/env")  // environment over file
        #expect(battle.maxRooms == 7 && battle.adminKey == "file-key")  // file
        #expect(network.maxMessageSize == 16 * 1024 * 1024)  // "echo": true from the file
        #expect(battle.messagesPerSecond == 120)  // default
        #expect(network.maxConnectionsPerAddress == 256)
    }

    @Test func unknownConfigKeysAndUnreadableFilesAreUsageErrors() throws {
        let path = "/tmp/lockstep-config-bad-\(UInt32.random(in: 0...UInt32.max)).json"
        FileWriter.write(#"{"prot": 1}"#, to: path)
        var arguments = try ParsedArguments([], spec: ServeCommand.spec)
        #expect(throws: UsageError.self) { try arguments.addConfigFile(try ConfigFile.load(path)) }
        #expect(throws: UsageError.self) { try ConfigFile.load("/nonexistent/lockstep.json") }
        let output = CapturedOutput()
        #expect(CommandLineTool.main(["serve", "--config", "/nonexistent/lockstep.json"], output: output) == 64)
    }
}

enum FileWriter {
    static func write(_ text: String, to path: String) {
        guard let file = fopen(path, "w") else { return }
        fputs(text, file)
        fclose(file)
    }
}
