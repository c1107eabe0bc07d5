import Testing
@testable import LockstepCrypto

/// The RFC 4231 test cases 1 to 7 (case 5 is truncated to 128 bits by the RFC).
@Suite struct HMACSHA256Tests {
    private func tag(key: [UInt8], data: [UInt8]) -> String {
        hex(HMACSHA256.authenticationCode(for: data, key: key))
    }

    @Test func rfc4231Case1() {
        #expect(tag(key: [UInt8](repeating: 0x0b, count: 20), data: Array("Hi There".utf8))
            == "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
    }

    @Test func rfc4231Case2KeyShorterThanOutput() {
        #expect(tag(key: Array("Jefe".utf8), data: Array("what do ya want for nothing?".utf8))
            == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    @Test func rfc4231Case3() {
        #expect(tag(key: [UInt8](repeating: 0xaa, count: 20), data: [UInt8](repeating: 0xdd, count: 50))
            == "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe")
    }

    @Test func rfc4231Case4() {
        let key = bytes(hex: "0102030405060708090a0b0c0d0e0f10111213141516171819")
        #expect(tag(key: key, data: [UInt8](repeating: 0xcd, count: 50))
            == "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b")
    }

    @Test func rfc4231Case5TruncatedTo128Bits() {
        let full = tag(key: [UInt8](repeating: 0x0c, count: 20), data: Array("Test With Truncation".utf8))
        #expect(full.prefix(32) == "a3b6167473100ee06e0c796c2955552b")
    }

    @Test func rfc4231Case6KeyLongerThanBlock() {
        let data = Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8)
        #expect(tag(key: [UInt8](repeating: 0xaa, count: 131), data: data)
            == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
    }

    @Test func rfc4231Case7KeyAndDataLongerThanBlock() {
        let data = Array(("This is a test using a larger than block-size key and a larger than block-size data. "
            + "The key needs to be hashed before being used by the HMAC algorithm.").utf8)
        #expect(tag(key: [UInt8](repeating: 0xaa, count: 131), data: data)
            == "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2")
    }
}
