import Testing
@testable import LockstepWebSocket

@Suite struct UTF8ValidatorTests {
    private func valid(_ bytes: [UInt8]) -> Bool { bytes.withUnsafeBytes(UTF8Validator.isValid) }

    @Test func acceptsWellFormedText() {
        #expect(valid(Array("Hello-µ@ßöäüàá-UTF-8!! κόσμε 𝄞".utf8)))
        #expect(valid([0xF4, 0x8F, 0xBF, 0xBF]))
        #expect(valid([]))
    }

    @Test func rejectsOverlongsSurrogatesAndOutOfRange() {
        for bad: [UInt8] in [[0xC0, 0xAF], [0xE0, 0x80, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80],
            [0xF5], [0xFF], [0x80], [0xCE]]
        {
            #expect(!valid(bad), "\(bad)")
        }
    }

    @Test func agreesWithTheStandardLibraryOnRandomBytes() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let bytes = (0..<Int.random(in: 0..<24, using: &generator)).map { _ in
                Bool.random(using: &generator) ? UInt8.random(in: 0x80...0xF5, using: &generator) : UInt8.random(in: 0...0x7F, using: &generator)
            }
            #expect(valid(bytes) == (String(validating: bytes, as: UTF8.self) != nil), "\(bytes)")
        }
    }
}
