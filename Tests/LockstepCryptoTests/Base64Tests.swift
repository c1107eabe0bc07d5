import Testing
@testable import LockstepCrypto

@Suite struct Base64Tests {
    /// RFC 4648 section 10 vectors.
    private let vectors: [(String, String)] = [
        ("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="),
        ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy"),
    ]

    @Test func encodingMatchesRFC4648Vectors() {
        for (plain, encoded) in vectors {
            #expect(Base64.encode(Array(plain.utf8)) == encoded)
        }
    }

    @Test func decodingMatchesRFC4648Vectors() {
        for (plain, encoded) in vectors {
            #expect(Base64.decode(encoded) == Array(plain.utf8))
        }
    }

    @Test func decodingRejectsMalformedText() {
        for bad in ["Zg=", "Z===", "Zm9v!A==", "=Zm9", "Zh==", "Zm9vYmF=Zm9v", "dGhlIHNhbXBsZSBub25jZQ"] {
            #expect(Base64.decode(bad) == nil, "\(bad)")
        }
    }

    @Test func roundTripsEveryByteValue() {
        let all = (0...255).map { UInt8($0) }
        for length in 0..<all.count {
            #expect(Base64.decode(Base64.encode(all.prefix(length))) == Array(all.prefix(length)))
        }
    }
}
