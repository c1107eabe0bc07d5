import LockstepRedis
import Testing

/// The decoder against the examples of the RESP2 specification
/// (https://redis.io/docs/latest/develop/reference/protocol-spec/), fed whole and split anywhere.
@Suite struct RESPDecoderTests {
    /// (wire bytes from the spec, the value they mean)
    static let specExamples: [(String, RESPValue)] = [
        ("+OK\r\n", .simpleString("OK")),
        ("-Error message\r\n", .error("Error message")),
        ("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
         .error("WRONGTYPE Operation against a key holding the wrong kind of value")),
        (":1000\r\n", .integer(1000)),
        (":-42\r\n", .integer(-42)),
        ("$5\r\nhello\r\n", .bulkString(Array("hello".utf8))),
        ("$0\r\n\r\n", .bulkString([])),
        ("$-1\r\n", .bulkString(nil)),
        ("*0\r\n", .array([])),
        ("*2\r\n$5\r\nhello\r\n$5\r\nworld\r\n", .array([.bulkString(Array("hello".utf8)), .bulkString(Array("world".utf8))])),
        ("*3\r\n:1\r\n:2\r\n:3\r\n", .array([.integer(1), .integer(2), .integer(3)])),
        ("*-1\r\n", .array(nil)),
        ("*2\r\n*3\r\n:1\r\n:2\r\n:3\r\n*2\r\n+Hello\r\n-World\r\n",
         .array([.array([.integer(1), .integer(2), .integer(3)]), .array([.simpleString("Hello"), .error("World")])])),
        ("*3\r\n$5\r\nhello\r\n$-1\r\n$5\r\nworld\r\n",
         .array([.bulkString(Array("hello".utf8)), .bulkString(nil), .bulkString(Array("world".utf8))])),
    ]

    @Test func decodesEverySpecExampleWhole() throws {
        for (wire, expected) in Self.specExamples {
            var decoder = RESPDecoder()
            decoder.append(Array(wire.utf8))
            #expect(try decoder.next() == expected, "\(wire.debugDescription)")
            #expect(try decoder.next() == nil)
            #expect(decoder.bufferedCount == 0)
        }
    }

    @Test func decodesEverySpecExampleSplitAtEveryByte() throws {
        for (wire, expected) in Self.specExamples {
            let bytes = Array(wire.utf8)
            for split in 0...bytes.count {
                var decoder = RESPDecoder()
                decoder.append(bytes[0..<split])
                if split < bytes.count {
                    // Incomplete: "need more bytes", and nothing consumed.
                    #expect(try decoder.next() == nil, "\(wire.debugDescription) cut at \(split)")
                    decoder.append(bytes[split...])
                }
                #expect(try decoder.next() == expected, "\(wire.debugDescription) cut at \(split)")
            }
        }
    }

    @Test func decodesPipelinedRepliesInOrder() throws {
        var decoder = RESPDecoder()
        decoder.append(Array("+OK\r\n:7\r\n$3\r\nfoo\r\n".utf8))
        #expect(try decoder.next() == .simpleString("OK"))
        #expect(try decoder.next() == .integer(7))
        #expect(try decoder.next() == .bulkString(Array("foo".utf8)))
        #expect(try decoder.next() == nil)
    }

    @Test func bulkStringsAreBinarySafe() throws {
        var decoder = RESPDecoder()
        decoder.append([UInt8(ascii: "$"), UInt8(ascii: "4"), 13, 10, 0, 13, 10, 255, 13, 10])
        #expect(try decoder.next() == .bulkString([0, 13, 10, 255]))
    }

    @Test func refusesBytesThatAreNotRESP() {
        let cases: [(String, RESPError)] = [
            ("?what\r\n", .unknownType(UInt8(ascii: "?"))),
            (":12a\r\n", .badNumber("12a")),
            ("$abc\r\n", .badNumber("abc")),
            ("$-2\r\n", .badNumber("-2")),
            ("$3\r\nfooXY", .badTerminator),
            ("+OK\rX", .badTerminator),
            ("+O\nK\r\n", .badTerminator),
            ("$999999999999\r\n", .tooLarge(999_999_999_999)),
            ("*99999999999\r\n", .tooLarge(99_999_999_999)),
        ]
        for (wire, expected) in cases {
            var decoder = RESPDecoder()
            decoder.append(Array(wire.utf8))
            #expect(throws: expected, "\(wire.debugDescription)") { try decoder.next() }
        }
    }

    @Test func refusesArraysNestedDeeperThanTheLimit() {
        var decoder = RESPDecoder()
        decoder.maxDepth = 3
        decoder.append(Array(("*1\r\n*1\r\n*1\r\n*1\r\n:1\r\n").utf8))
        #expect(throws: RESPError.tooDeep) { try decoder.next() }
    }

    /// A huge announced array with few bytes behind it reserves by the bytes, not the count.
    @Test func aLargeAnnouncedArrayWaitsForItsBytes() throws {
        var decoder = RESPDecoder()
        decoder.append(Array("*1000000\r\n:1\r\n".utf8))
        #expect(try decoder.next() == nil)
    }

    /// Seeded property test: random values encode and decode to themselves, in random chunks.
    @Test func randomValuesRoundTripThroughTheEncoder() throws {
        var random = SplitMix(seed: 0x5EED_0013)
        for _ in 0..<300 {
            let value = Self.randomValue(&random, depth: 0)
            let bytes = RESPEncoder.encode(value)
            var decoder = RESPDecoder()
            var offset = 0
            var decoded: RESPValue?
            while decoded == nil {
                let chunk = Int(random.next() % 7) + 1
                let end = min(bytes.count, offset + chunk)
                decoder.append(bytes[offset..<end])
                offset = end
                decoded = try decoder.next()
                if offset == bytes.count && decoded == nil { break }
            }
            #expect(decoded == value)
        }
    }

    static func randomValue(_ random: inout SplitMix, depth: Int) -> RESPValue {
        switch random.next() % (depth < 3 ? 7 : 5) {
        case 0: return .simpleString("s\(random.next() % 1000)")
        case 1: return .error("ERR e\(random.next() % 1000)")
        case 2: return .integer(Int64(bitPattern: random.next()))
        case 3: return .bulkString((0..<Int(random.next() % 20)).map { _ in UInt8(truncatingIfNeeded: random.next()) })
        case 4: return .bulkString(nil)
        case 5: return .array(nil)
        default: return .array((0..<Int(random.next() % 5)).map { _ in randomValue(&random, depth: depth + 1) })
        }
    }
}

/// SplitMix64: a small seeded generator for property tests.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
