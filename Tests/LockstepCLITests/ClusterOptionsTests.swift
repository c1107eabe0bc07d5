import LockstepTesting
import Testing

@testable import LockstepCLI

/// `lockstep serve --cluster …`: settings that cannot work are usage errors (exit 64) saying why.
@Suite struct ClusterOptionsTests {
    @Test(arguments: [
        (["serve", "--port", "0", "--cluster", "http://x:1", "--admin-key", "k", "--token-secret", "s"], "redis://HOST:PORT[/DB]"),
        (["serve", "--port", "0", "--cluster", "redis://127.0.0.1:6379", "--token-secret", "s"], "--admin-key"),
        (["serve", "--port", "0", "--cluster", "redis://127.0.0.1:6379", "--admin-key", "k"], "--token-secret"),
        (["serve", "--port", "0", "--public-url", "http://127.0.0.1:1"], "needs --cluster"),
        (["serve", "--port", "0", "--host", "0.0.0.0", "--cluster", "redis://127.0.0.1:6379", "--admin-key", "k", "--token-secret", "s"], "--public-url"),
        (["serve", "--port", "0", "--cluster", "redis://127.0.0.1:6379", "--admin-key", "k", "--token-secret", "s", "--public-url", "ws://h:1"], "http://HOST:PORT"),
        (["serve", "--port", "0", "--cluster", "redis://127.0.0.1:6379", "--admin-key", "k", "--token-secret", "s", "--public-url", "https://play.example.com"], "--internal-url"),
        (["serve", "--port", "0", "--cluster", "redis://127.0.0.1:6379", "--admin-key", "k", "--token-secret", "s", "--cluster-heartbeat-ms", "1000", "--cluster-ttl-ms", "1500"], "twice the heartbeat"),
    ])
    func impossibleClusterSettingsAreUsageErrors(arguments: [String], says: String) {
        let output = CapturedOutput()
        #expect(CommandLineTool.main(arguments, output: output) == 64)
        #expect(output.stderr.contains(says), "\(output.stderr)")
    }
}
