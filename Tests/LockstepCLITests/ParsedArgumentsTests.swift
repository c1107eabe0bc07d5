import Testing
@testable import LockstepCLI

@Suite struct ParsedArgumentsTests {
    static let spec = CommandSpec(
        path: ["demo"], summary: "Demo.",
        options: [
            OptionSpec("--json", help: "JSON."),
            OptionSpec("--port", value: "PORT", help: "Port.", environment: "DEMO_PORT"),
        ],
        positionals: [PositionalSpec("FILE", help: "Files.", repeating: true)])

    @Test func optionsAcceptSpaceAndEqualsForms() throws {
        let a = try ParsedArguments(["--port", "80", "x"], spec: Self.spec)
        let b = try ParsedArguments(["--port=81", "x", "--json"], spec: Self.spec)
        #expect(try a.integer("--port", in: 1...65535) == 80)
        #expect(try b.integer("--port", in: 1...65535) == 81)
        #expect(b.flag("--json") && !a.flag("--json"))
    }

    @Test func environmentFillsAnAbsentOptionButAFlagWins() throws {
        let fromEnv = try ParsedArguments(["x"], spec: Self.spec, environment: ["DEMO_PORT": "99"])
        let fromFlag = try ParsedArguments(["--port", "7", "x"], spec: Self.spec, environment: ["DEMO_PORT": "99"])
        #expect(fromEnv.value("--port") == "99")
        #expect(fromFlag.value("--port") == "7")
    }

    @Test func unknownOptionsMissingValuesAndMissingArgumentsAreUsageErrors() {
        #expect(throws: UsageError.self) { try ParsedArguments(["--nope", "x"], spec: Self.spec) }
        #expect(throws: UsageError.self) { try ParsedArguments(["x", "--port"], spec: Self.spec) }
        #expect(throws: UsageError.self) { try ParsedArguments([], spec: Self.spec) }
        #expect(throws: UsageError.self) { try ParsedArguments(["--json=1", "x"], spec: Self.spec) }
    }

    @Test func outOfRangeIntegerIsAUsageError() throws {
        let parsed = try ParsedArguments(["--port", "70000", "x"], spec: Self.spec)
        #expect(throws: UsageError.self) { try parsed.integer("--port", in: 1...65535) }
    }
}

final class CapturedOutput: CommandOutput {
    var stdout = ""
    var stderr = ""
    func out(_ text: String) { stdout += text }
    func err(_ text: String) { stderr += text }
}

@Suite struct CommandLineToolTests {
    @Test func unknownCommandExits64WithErrorAndUsage() {
        let output = CapturedOutput()
        let status = CommandLineTool.main(["frobnicate"], output: output)
        #expect(status == 64)
        #expect(output.stderr.hasPrefix("Error: unknown command 'frobnicate'\nUsage: "))
    }

    @Test func everySubcommandAnswersHelpWithExitZero() {
        for command in CommandLineTool.commands {
            let output = CapturedOutput()
            let status = CommandLineTool.main(command.spec.path + ["--help"], output: output)
            #expect(status == 0)
            #expect(output.stdout.contains("USAGE: lockstep \(command.spec.path.joined(separator: " "))"))
        }
    }

    @Test func badOptionOnASubcommandExits64() {
        let output = CapturedOutput()
        let status = CommandLineTool.main(["replay", "verify", "--bogus"], output: output)
        #expect(status == 64)
        #expect(output.stderr.contains("Usage: lockstep replay verify"))
    }
}
