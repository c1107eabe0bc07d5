// Join tokens: the text a client presents in its HELLO, and (signed here, so the fuzzer gets past
// the HMAC) the claims inside one.
//
// Input: a mode byte, then either a token's text (even) or raw claims to sign (odd).
// Properties: never a crash; claims that verify mint a token that verifies to the same claims.
import FuzzSupport
import LockstepBattleServer
import LockstepCrypto


let signer = TokenSigner(secret: Array("fuzzing-secret-0123456789abcdef".utf8))

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJoinToken(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    var input = FuzzInput(start, count)
    let mode = input.byte()
    let text: String
    if mode & 1 == 0 {
        text = String(decoding: input.rest, as: UTF8.self)
    } else {
        let claims = Array(input.rest)
        let mac = HMACSHA256.authenticationCode(for: claims, key: Array("fuzzing-secret-0123456789abcdef".utf8))
        text = Base64URL.encode(claims) + "." + Base64URL.encode(mac)
    }
    guard let token = try? signer.verify(text, now: 0) else { return 0 }
    let minted = signer.mint(token)
    fuzzExpect((try? signer.verify(minted, now: 0)) == token, "a verified token does not survive minting again: \(token)")
    return 0
}

/// The program's entry (SwiftPM's renamed `main`): libFuzzer's driver on `fuzzJoinToken`.
@_cdecl("FuzzJoinToken_main")
public func fuzzJoinTokenMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzzJoinToken)
}
