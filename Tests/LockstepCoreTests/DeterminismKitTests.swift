import Testing
@testable import LockstepCore

@Suite struct SeededRandomTests {
    @Test func splitMix64MatchesItsPublishedReferenceOutput() {
        var mixer = SplitMix64(state: 0)
        #expect(mixer.next() == 0xE220_A839_7B1D_CDAF)
        #expect(mixer.next() == 0x6E78_9E6A_A1B9_65F4)
        #expect(mixer.next() == 0x06C4_5D18_8009_454F)
    }

    @Test func sameSeedSameSequenceDifferentSeedDifferentSequence() {
        var a = SeededRandom(seed: 99)
        var b = SeededRandom(seed: 99)
        var c = SeededRandom(seed: 100)
        let sa = (0..<100).map { _ in a.next() }
        #expect(sa == (0..<100).map { _ in b.next() })
        #expect(sa != (0..<100).map { _ in c.next() })
    }

    @Test func boundedValuesStayInRangeAndCoverIt() {
        var random = SeededRandom(seed: 3)
        var seen = Array(repeating: 0, count: 7)
        for _ in 0..<7000 {
            let value = random.next(in: -3...3)
            #expect((-3...3).contains(value))
            seen[value + 3] += 1
        }
        #expect(seen.allSatisfy { $0 > 800 })
    }
}

@Suite struct StateHasherTests {
    @Test func fnv1a64MatchesPublishedVectors() {
        #expect(StateHasher.hash([UInt8]()) == 0xCBF2_9CE4_8422_2325)
        #expect(StateHasher.hash(Array("a".utf8)) == 0xAF63_DC4C_8601_EC8C)
        #expect(StateHasher.hash(Array("foobar".utf8)) == 0x8594_4171_F739_67E8)
    }

    @Test func integersAreFedLittleEndianAtTheirWidth() {
        var hasher = StateHasher()
        hasher.combine(UInt32(0x0403_0201))
        #expect(hasher.value == StateHasher.hash([1, 2, 3, 4]))
        var wide = StateHasher()
        wide.combine(Int16(-2))
        #expect(wide.value == StateHasher.hash([0xFE, 0xFF]))
    }
}
