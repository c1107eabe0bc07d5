import LockstepRedis
import Testing

@Suite struct RESPEncoderTests {
    /// The specification's example: a client sends `LLEN mylist` as an array of bulk strings.
    @Test func encodesACommandAsAnArrayOfBulkStrings() {
        #expect(RESPEncoder.command(["LLEN", "mylist"]) == Array("*2\r\n$4\r\nLLEN\r\n$6\r\nmylist\r\n".utf8))
    }

    @Test func countsBytesNotCharacters() {
        #expect(RESPEncoder.command(["SET", "k", "é"]) == Array("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\né\r\n".utf8))
    }

    @Test func encodesNullsAsTheSpecSpellsThem() {
        #expect(RESPEncoder.encode(.bulkString(nil)) == Array("$-1\r\n".utf8))
        #expect(RESPEncoder.encode(.array(nil)) == Array("*-1\r\n".utf8))
        #expect(RESPEncoder.encode(.integer(-3)) == Array(":-3\r\n".utf8))
    }
}

@Suite struct RedisURLTests {
    @Test func parsesHostPortAndDatabase() throws {
        #expect(try RedisURL(parsing: "redis://10.0.0.5:6380/2") == RedisURL(host: "10.0.0.5", port: 6380, database: 2))
        #expect(try RedisURL(parsing: "redis://cache") == RedisURL(host: "cache", port: 6379, database: 0))
        #expect(try RedisURL(parsing: "redis://127.0.0.1:7000/") == RedisURL(host: "127.0.0.1", port: 7000, database: 0))
    }

    @Test func refusesWhatItCannotConnectTo() {
        for text in ["http://x:1", "redis://", "redis://:6379", "redis://h:0", "redis://h:99999", "redis://u:p@h:1", "redis://h:1/x", "rediss://h:1"] {
            #expect(throws: RedisURL.Invalid.self, "\(text)") { try RedisURL(parsing: text) }
        }
    }
}
