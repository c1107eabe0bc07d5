import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif
import LockstepEventLoop
import LockstepServer
@testable import LockstepCLI
import LockstepBattleServer
import LockstepEventLoop
import LockstepServer
import LockstepTesting

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
    /// The defaults measured best in docs/BENCHMARKS.md ("One setting for all four targets"):
    /// no fixed phase slots, a 200 µs tick window and a 500 µs batch window.
    @Test func serveGroupsTicksByA200MicrosecondWindowAndBatchesInputWithin500ByDefault() throws {
        let battle = try ServeCommand.battleConfiguration(from: ParsedArguments([], spec: ServeCommand.spec))
        #expect(battle.effectivePhaseSlots(period: 33_333_333) == 0)
        let network = try ServeCommand.networkConfiguration(from: ParsedArguments([], spec: ServeCommand.spec))
        #expect(network.wakeups == WakeupPolicy(tickWindowNanoseconds: 200_000, batchWindowNanoseconds: 500_000))
        let immediate = try ServeCommand.networkConfiguration(
            from: ParsedArguments(["--tick-window-us", "0", "--batch-window-us=0"], spec: ServeCommand.spec))
        #expect(immediate.wakeups == .immediate)
    }

    @Test func phaseSlotsAreOffByDefaultAndCanBeSetOrMadeAutomatic() throws {
        let automatic = try ServeCommand.battleConfiguration(from: ParsedArguments(["--phase-slots", "auto"], spec: ServeCommand.spec))
        #expect(automatic.phaseSlots == nil)
        #expect(automatic.effectivePhaseSlots(period: 33_333_333) == 66)
        #expect(automatic.effectivePhaseSlots(period: 16_666_666) == 33)
        #expect(automatic.effectivePhaseSlots(period: 100_000) == 1)
        let byDefault = try ServeCommand.battleConfiguration(from: ParsedArguments([], spec: ServeCommand.spec))
        #expect(byDefault.phaseSlots == 0)
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
                          ["serve", "--ping-interval-ms", "90000"], ["serve", "--drain-timeout", "-1"],
                          ["serve", "--drain-timeout", "soon"], ["serve", "--agones", "--agones-sdk-port", "0"]] {
            let output = CapturedOutput()
            #expect(CommandLineTool.main(arguments, output: output) == 64, "\(arguments)")
            #expect(output.stderr.hasPrefix("Error: "))
            #expect(output.stderr.contains("See 'lockstep serve --help'."))
        }
    }

    /// A server that cannot start (port taken, replay directory not creatable or not writable,
    /// limits beyond the descriptor limit) exits 1 with what went wrong: not 64, not a usage text.
    @Test func startUpFailuresExitOneWithAClearMessageNotAUsageError() throws {
        let taken = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(taken) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                bind(taken, raw, length) == 0 && listen(taken, 1) == 0 && getsockname(taken, raw, &length) == 0
            }
        }
        #expect(bound)
        let port = Int(UInt16(bigEndian: address.sin_port))
        let replays = makeTemporaryDirectory("lockstep-serve-start")
        let cases: [([String], String)] = [
            (["--port", "\(port)", "--replays", replays], "Address already in use"),
            (["--port", "0", "--replays", "/proc/lockstep-replays"], "cannot create the replay directory /proc/lockstep-replays"),
            (["--port", "0", "--replays", "/proc"], "cannot write in the replay directory /proc"),
            (["--port", "0", "--replays", replays, "--max-rooms", "1000000", "--max-connections", "1000000"], "file descriptors"),
        ]
        for (arguments, reason) in cases {
            let output = CapturedOutput()
            #expect(CommandLineTool.main(["serve"] + arguments, output: output) == 1, "\(arguments)")
            #expect(output.stderr.hasPrefix("Error: ") && output.stderr.contains(reason), "\(output.stderr)")
            #expect(!output.stderr.contains("Usage:"))
        }
    }

    /// The descriptor budget counts a replay file per room and a socket per connection plus the
    /// server's own, and refuses a limit that cannot hold them, saying what to change.
    @Test func aConfigurationBeyondTheDescriptorLimitIsRefused() throws {
        var battle = BattleConfiguration()
        battle.maxRooms = 1000
        var network = ServerConfiguration()
        network.maxConnections = 10_000
        network.loopCount = 2
        let budget = DescriptorBudget(configuration: battle, network: network)
        #expect(budget.needed == 11_000 + DescriptorBudget.fixedReserve + 2 * DescriptorBudget.perLoop)
        #expect(throws: ServerStartError.self) { try budget.check(against: OpenFileLimit(soft: 1024, hard: 1024)) }
        try budget.check(against: OpenFileLimit(soft: 20_000, hard: 20_000))
        let raised = OpenFileLimit.raiseToHardLimit()
        #expect(raised.soft == raised.hard)
    }

    /// On the defaults a machine with a low descriptor limit still starts: the room and
    /// connection limits shrink to fit it (ten connections per room), and the result fits.
    @Test(arguments: [1024, 4096, 65_536] as [UInt64])
    func theDefaultLimitsAreFittedToALowDescriptorLimit(nofile: UInt64) throws {
        var battle = BattleConfiguration()
        var network = ServerConfiguration()
        network.loopCount = 2
        let limit = OpenFileLimit(soft: nofile, hard: nofile)
        let fitted = DescriptorBudget.fit(configuration: &battle, network: &network, to: limit)
        if nofile >= 11_100 {
            #expect(fitted == nil && battle.maxRooms == 1000 && network.maxConnections == 10_000)
        } else {
            #expect(fitted != nil)
            #expect(battle.maxRooms * 10 <= network.maxConnections && battle.maxRooms > 0)
        }
        try DescriptorBudget(configuration: battle, network: network).check(against: limit)
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

    /// The WebSocket Origin allow-list is a setting like the others: flag, environment, config
    /// file (a string or an array); absent means any origin; an empty list is a usage error.
    @Test func allowedOriginsComeFromTheFlagTheEnvironmentOrTheConfigFile() throws {
        let none = try ServeCommand.networkConfiguration(from: ParsedArguments([], spec: ServeCommand.spec))
        #expect(none.allowedOrigins == nil)
        let flag = try ServeCommand.networkConfiguration(
            from: ParsedArguments(["--allowed-origins", "https://a.example, https://b.example"], spec: ServeCommand.spec,
                                  environment: ["LOCKSTEP_ALLOWED_ORIGINS": "https://env.example"]))
        #expect(flag.allowedOrigins == ["https://a.example", "https://b.example"])
        let environment = try ServeCommand.networkConfiguration(
            from: ParsedArguments([], spec: ServeCommand.spec, environment: ["LOCKSTEP_ALLOWED_ORIGINS": "https://env.example"]))
        #expect(environment.allowedOrigins == ["https://env.example"])
        let path = "/tmp/lockstep-config-origins-\(UInt32.random(in: 0...UInt32.max)).json"
        FileWriter.write(#"{"allowed-origins": ["https://file.example", "http://localhost:3000"]}"#, to: path)
        var fromFile = try ParsedArguments([], spec: ServeCommand.spec)
        try fromFile.addConfigFile(try ConfigFile.load(path))
        #expect(try ServeCommand.networkConfiguration(from: fromFile).allowedOrigins == ["https://file.example", "http://localhost:3000"])
        let output = CapturedOutput()
        #expect(CommandLineTool.main(["serve", "--allowed-origins", " , "], output: output) == 64)
        #expect(output.stderr.contains("--allowed-origins"))
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

extension ServeCommandTests {
    /// Replay durability is the operator's choice: `--replay-fsync-ms` (and its config key) sets
    /// the sync interval, 0 by default (sync at match end); a negative one is a usage error.
    @Test func replayFsyncIntervalIsAFlagAConfigKeyAndOffByDefault() throws {
        func parse(_ arguments: [String]) throws -> ParsedArguments { try ParsedArguments(arguments, spec: ServeCommand.spec) }
        #expect(try ServeCommand.battleConfiguration(from: parse([])).replayFsyncMillis == 0)
        #expect(try ServeCommand.battleConfiguration(from: parse(["--replay-fsync-ms", "250"])).replayFsyncMillis == 250)
        #expect(throws: UsageError.self) { try ServeCommand.battleConfiguration(from: parse(["--replay-fsync-ms", "-1"])) }
        var fromFile = try parse([])
        try fromFile.addConfigFile(try ConfigFile.parse(Data(#"{"replay-fsync-ms": 1000, "replay-flush-ticks": 10}"#.utf8), path: "f"))
        let battle = try ServeCommand.battleConfiguration(from: fromFile)
        #expect(battle.replayFsyncMillis == 1000 && battle.replayFlushInterval == 10)
    }
}
