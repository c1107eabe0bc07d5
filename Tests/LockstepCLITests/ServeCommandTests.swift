import Testing
@testable import LockstepCLI

@Suite struct ServeCommandTests {
    @Test func defaultsAreLoopbackPort8080AndTheIssuesTimeouts() throws {
        let configuration = try ServeCommand.configuration(from: ParsedArguments([], spec: ServeCommand.spec))
        #expect(configuration.host == "127.0.0.1")
        #expect(configuration.port == 8080)
        #expect(configuration.loopCount == nil)
        #expect(configuration.handshakeTimeout == .seconds(10))
    }

    @Test func flagsAndEnvironmentSetTheConfiguration() throws {
        let arguments = try ParsedArguments(
            ["--port", "9001", "--loops", "3", "--echo", "--handshake-timeout-ms", "250"], spec: ServeCommand.spec,
            environment: ["LOCKSTEP_HOST": "0.0.0.0"])
        let configuration = try ServeCommand.configuration(from: arguments)
        #expect(configuration.host == "0.0.0.0")
        #expect(configuration.port == 9001)
        #expect(configuration.loopCount == 3)
        #expect(configuration.handshakeTimeout == .milliseconds(250))
        #expect(configuration.maxMessageSize == 16 * 1024 * 1024)
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
