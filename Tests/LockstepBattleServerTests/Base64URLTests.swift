import LockstepCore
import LockstepCrypto
import Testing
@testable import LockstepBattleServer

/// The join token's base64url (RFC 4648 §5, unpadded), decoded from the UTF-8 bytes.
@Suite struct Base64URLTests {
    /// The reference reading: every character an ASCII letter, digit, `-` or `_`, then standard
    /// base64 after swapping the two symbols back and padding (what the decoder replaced did).
    static func reference(_ text: String) -> [UInt8]? {
        guard text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else { return nil }
        var standard = String(text.map { $0 == "-" ? "+" : $0 == "_" ? "/" : $0 })
        while standard.count % 4 != 0 { standard += "=" }
        return Base64.decode(standard)
    }

    /// RFC 4648's test vectors, unpadded, and the two symbols that differ from base64.
    @Test func theRFCVectorsDecodeUnpadded() {
        let vectors = ["": "", "Zg": "f", "Zm8": "fo", "Zm9v": "foo", "Zm9vYg": "foob", "Zm9vYmE": "fooba", "Zm9vYmFy": "foobar"]
        for (text, plain) in vectors { #expect(Base64URL.decode(text) == Array(plain.utf8), "\(text)") }
        #expect(Base64URL.decode("-_8") == [0xFB, 0xFF])
        #expect(Base64URL.encode([0xFB, 0xFF]) == "-_8")
        for refused in ["+_8", "/w", "Zg==", "Zg=", "Z", "Zh", "Zm9v YmFy", "Zm9vé"] { #expect(Base64URL.decode(refused) == nil, "\(refused)") }
    }

    /// Seeded random bytes round-trip, and seeded random text (the alphabet, base64's own
    /// symbols, padding, spaces, non-ASCII letters) decodes exactly as the reference does.
    @Test func decodingAgreesWithTheReferenceOnRandomText() {
        var random = SeededRandom(seed: 0xB64)
        for _ in 0..<2_000 {
            let bytes = (0..<random.next(in: 0...40)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            #expect(Base64URL.decode(Base64URL.encode(bytes)) == bytes)
        }
        let symbols = Array("ABCXYZabcxyz0189-_+/= .é\u{301}")
        for _ in 0..<5_000 {
            let text = String((0..<random.next(in: 0...12)).map { _ in symbols[random.next(in: 0...symbols.count - 1)] })
            #expect(Base64URL.decode(text) == Self.reference(text), "\(text)")
        }
    }
}
