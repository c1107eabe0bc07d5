import LockstepRedis
import LockstepTesting
import Synchronization
import Testing

/// The client against a real redis-server started for the test.
@Suite(.serialized) struct RedisClientTests {
    /// Runs a command and waits for its answer (tests only: callers of the client never wait).
    static func call(_ client: RedisClient, _ arguments: [String]) -> Result<RESPValue, RedisError>? {
        let answer = Mutex<Result<RESPValue, RedisError>?>(nil)
        client.command(arguments) { result in answer.withLock { $0 = result } }
        _ = eventually(5) { answer.withLock { $0 } != nil }
        return answer.withLock { $0 }
    }

    @Test func commandsGetTheServersReplies() throws {
        let server = try RedisServerProcess()
        defer { server.shutdown() }
        let client = RedisClient(url: server.url)
        defer { client.stop() }
        #expect(try Self.call(client, ["SET", "greeting", "hello"])?.get() == .simpleString("OK"))
        #expect(try Self.call(client, ["GET", "greeting"])?.get() == .bulkString(Array("hello".utf8)))
        #expect(try Self.call(client, ["GET", "missing"])?.get() == .bulkString(nil))
        #expect(try Self.call(client, ["INCRBY", "n", "5"])?.get() == .integer(5))
        // An error reply is a reply, not a failure.
        let wrong = try Self.call(client, ["INCR", "greeting"])?.get()
        #expect(wrong?.errorMessage?.hasPrefix("ERR") == true)
        #expect(client.metrics.connects.load(ordering: .relaxed) == 1)
    }

    @Test func aScriptRunsByItsHashAfterTheServerLearnsIt() throws {
        let server = try RedisServerProcess()
        defer { server.shutdown() }
        let client = RedisClient(url: server.url)
        defer { client.stop() }
        let script = RedisScript("return redis.call('INCRBY', KEYS[1], ARGV[1])")
        // The SHA-1 Redis computes for the same source.
        #expect(try Self.call(client, ["SCRIPT", "LOAD", script.source])?.get() == .bulkString(Array(script.sha1.utf8)))
        _ = try Self.call(client, ["SCRIPT", "FLUSH"])?.get()
        for expected in [Int64(2), 4] {
            let result = client.evalAndWait(script, keys: ["counter"], arguments: ["2"], timeoutMillis: 5000)
            #expect(try result.get() == .integer(expected))  // first NOSCRIPT then EVAL, then EVALSHA
        }
    }

    @Test func aDownServerFailsRequestsAtOnceAndTheClientReconnectsWhenItIsBack() throws {
        let server = try RedisServerProcess()
        defer { server.shutdown() }
        let events = Mutex<[String]>([])
        let client = RedisClient(url: server.url, initialBackoffMillis: 20, maxBackoffMillis: 100) { event in
            events.withLock { $0.append("\(event)") }
        }
        defer { client.stop() }
        #expect(try Self.call(client, ["SET", "k", "1"])?.get() == .simpleString("OK"))
        server.stop()
        // The command in flight, or the next, finds the connection gone: a failure, not a hang.
        let down = Self.call(client, ["GET", "k"])
        #expect(down != nil)
        if case .success = down { Issue.record("a command succeeded with the server stopped") }
        #expect(client.metrics.connected.load(ordering: .relaxed) == 0)
        try server.restart()
        #expect(eventually(5) { (try? Self.call(client, ["PING"])?.get()) == .simpleString("PONG") })
        #expect(client.metrics.connects.load(ordering: .relaxed) == 2)
        #expect(client.metrics.connectFailures.load(ordering: .relaxed) + client.metrics.connectionFailures.load(ordering: .relaxed) >= 1)
        #expect(events.withLock { $0.contains { $0.contains("connected") && $0.contains("reconnect: true") } })
    }

    @Test func aStoppedClientFailsNewRequests() throws {
        let client = RedisClient(url: RedisURL(host: "127.0.0.1", port: 1))
        client.stop()
        guard case .failure(.stopped)? = Self.call(client, ["PING"]) else {
            Issue.record("a stopped client ran a command")
            return
        }
    }

    @Test func nothingListeningIsAClearConnectFailure() {
        let client = RedisClient(url: RedisURL(host: "127.0.0.1", port: 1), initialBackoffMillis: 1000)
        defer { client.stop() }
        guard case .failure(let error)? = Self.call(client, ["PING"]) else {
            Issue.record("no failure")
            return
        }
        #expect(error.description.contains("cannot connect to Redis") && error.description.contains("127.0.0.1:1"))
        // Within the backoff, the next request fails at once without another attempt.
        _ = Self.call(client, ["PING"])
        #expect(client.metrics.connectFailures.load(ordering: .relaxed) == 1)
        #expect(client.metrics.refusedWhileDown.load(ordering: .relaxed) == 2)
    }
}
