import LockstepCore
import LockstepCrypto
import LockstepProtocol

#if canImport(Glibc)
import Glibc
#endif

/// What a join token grants: a seat (a player slot or a spectator place) in one room until a time.
///
/// Wire form: `base64url(claims) "." base64url(HMAC-SHA256(secret, claims))`, no padding, where
/// `claims` is: version (u8, 1), role (u8: 0 player, 1 spectator), slot (u8, 0xFF for spectators),
/// expiry (u64 LE, Unix seconds), room id (u8 length + UTF-8), player id (u8 length + UTF-8).
public struct JoinToken: Equatable, Sendable {
    /// The room the token admits to.
    public var roomID: String
    /// Who the token was minted for (recorded in the replay header).
    public var playerID: String
    /// The seat: a player slot, or spectator.
    public var role: JoinRoleClaim
    /// Unix seconds after which the token is refused.
    public var expiresAt: UInt64

    /// The claims format version.
    public static let version: UInt8 = 1

    public init(roomID: String, playerID: String, role: JoinRoleClaim, expiresAt: UInt64) {
        self.roomID = roomID
        self.playerID = playerID
        self.role = role
        self.expiresAt = expiresAt
    }

    /// The claim bytes that are signed.
    public var claims: [UInt8] {
        var writer = WireWriter()
        writer.u8(Self.version)
        switch role {
        case .player(let slot):
            writer.u8(0)
            writer.u8(slot.rawValue)
        case .spectator:
            writer.u8(1)
            writer.u8(0xFF)
        }
        writer.integer(expiresAt)
        writer.shortString(roomID)
        writer.shortString(playerID)
        return writer.bytes
    }
}

/// The seat a token grants.
public enum JoinRoleClaim: Equatable, Sendable {
    case player(PlayerSlot)
    case spectator
}

/// Why a token was refused. Each maps to one protocol error code.
public enum TokenError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Not two base64url parts, bad claims, or a signature that does not match.
    case invalid(String)
    /// Past its expiry.
    case expired(at: UInt64)

    public var protocolError: ProtocolError {
        switch self {
        case .invalid(let why): ProtocolError(.invalidToken, why)
        case .expired(let at): ProtocolError(.tokenExpired, "expired at \(at) (Unix seconds)")
        }
    }

    public var description: String { protocolError.description }
}

/// Mints and verifies join tokens with one secret.
public struct TokenSigner: Sendable {
    private let secret: [UInt8]

    /// A signer with `secret` (at least 16 bytes are recommended; 32 random bytes by default).
    public init(secret: [UInt8]) {
        self.secret = secret
    }

    /// The token string for `token`.
    public func mint(_ token: JoinToken) -> String {
        let claims = token.claims
        let mac = HMACSHA256.authenticationCode(for: claims, key: secret)
        return Base64URL.encode(claims) + "." + Base64URL.encode(mac)
    }

    /// Checks the signature (in constant time) and the expiry against `now` (Unix seconds).
    ///
    /// - Throws: `TokenError`.
    public func verify(_ text: String, now: UInt64) throws(TokenError) -> JoinToken {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let claims = Base64URL.decode(parts[0]), let mac = Base64URL.decode(parts[1]) else {
            throw .invalid("not a token")
        }
        let expected = HMACSHA256.authenticationCode(for: claims, key: secret)
        guard mac.count == expected.count, ConstantTime.equals(mac, expected) else { throw .invalid("bad signature") }
        let token: JoinToken
        do {
            token = try claims.withUnsafeBytes { raw throws(ProtocolError) -> JoinToken in try Self.parse(raw) }
        } catch {
            throw .invalid("bad claims")
        }
        guard token.expiresAt > now else { throw .expired(at: token.expiresAt) }
        return token
    }

    static func parse(_ raw: UnsafeRawBufferPointer) throws(ProtocolError) -> JoinToken {
        var reader = WireReader(raw)
        guard try reader.u8("version") == JoinToken.version else { throw ProtocolError(.invalidToken, "unknown version") }
        let role = try reader.u8("role")
        let slot = try reader.u8("slot")
        let expiry = try reader.integer(UInt64.self, "expiry")
        let room = try reader.shortString("room")
        let player = try reader.shortString("player")
        try reader.expectEnd("claims")
        let claim: JoinRoleClaim
        switch role {
        case 0: claim = .player(PlayerSlot(slot))
        case 1: claim = .spectator
        default: throw ProtocolError(.invalidToken, "unknown role")
        }
        return JoinToken(roomID: room, playerID: player, role: claim, expiresAt: expiry)
    }

    /// Unix time in seconds (wall clock: used for token expiry only).
    public static func unixNow() -> UInt64 {
        UInt64(max(0, time(nil)))
    }

    /// `count` random bytes from the system generator.
    public static func randomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }
}

/// Base64 with the URL-safe alphabet (`-`, `_`) and no padding (RFC 4648 section 5).
public enum Base64URL {
    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        var text = Base64.encode(bytes)
        text = String(text.map { $0 == "+" ? "-" : $0 == "/" ? "_" : $0 })
        while text.hasSuffix("=") { text.removeLast() }
        return text
    }

    /// Decodes unpadded base64url, or returns `nil` for anything else (a byte outside `A–Z a–z
    /// 0–9 - _`, a length no encoding has, non-zero trailing bits). Works on the UTF-8 bytes: a
    /// token arrives with every HELLO, and the `Character` walk this replaced was most of a
    /// verification's time.
    public static func decode(_ text: some StringProtocol) -> [UInt8]? {
        var standard = Array(text.utf8)
        for index in standard.indices {
            switch standard[index] {
            case UInt8(ascii: "-"): standard[index] = UInt8(ascii: "+")
            case UInt8(ascii: "_"): standard[index] = UInt8(ascii: "/")
            // Standard base64's own symbols are not base64url; everything else outside the
            // alphabet is refused by the decoder.
            case UInt8(ascii: "+"), UInt8(ascii: "/"), UInt8(ascii: "="): return nil
            default: break
            }
        }
        while standard.count % 4 != 0 { standard.append(UInt8(ascii: "=")) }
        return Base64.decode(utf8: standard)
    }
}
