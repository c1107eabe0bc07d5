import LockstepBattleServer
import LockstepCore

/// `lockstep token`: mints a join token with a secret (for tests and tools).
public enum TokenCommand: Command {
    public static let spec = CommandSpec(
        path: ["token"], summary: "Mint a join token (HMAC-SHA256) for a room.",
        discussion: "The server must run with the same --token-secret for the token to be accepted.",
        options: [
            OptionSpec("--secret", value: "SECRET", help: "The token secret.", environment: "LOCKSTEP_TOKEN_SECRET"),
            OptionSpec("--room", value: "ROOM", help: "The room id."),
            OptionSpec("--slot", value: "N", help: "The player slot (0 to 63)."),
            OptionSpec("--spectator", help: "A spectator token instead of a player slot."),
            OptionSpec("--player", value: "ID", help: "The player id.", default: "player"),
            OptionSpec("--ttl-s", value: "S", help: "Seconds until it expires.", default: "3600"),
            OptionSpec("--expires-at", value: "UNIX", help: "Absolute expiry in Unix seconds (overrides --ttl-s)."),
        ])

    public static func run(_ arguments: ParsedArguments, output: CommandOutput) throws -> Int32 {
        guard let secret = arguments.value("--secret"), !secret.isEmpty else { throw UsageError("--secret (or LOCKSTEP_TOKEN_SECRET) is required") }
        guard let room = arguments.value("--room"), !room.isEmpty else { throw UsageError("--room is required") }
        let role: JoinRoleClaim
        if arguments.flag("--spectator") {
            guard arguments.value("--slot") == nil else { throw UsageError("give either --slot or --spectator") }
            role = .spectator
        } else {
            guard let slot = try arguments.integer("--slot", in: 0...63) else { throw UsageError("--slot or --spectator is required") }
            role = .player(PlayerSlot(UInt8(slot)))
        }
        let ttl = try arguments.integer("--ttl-s", in: 1...31_536_000) ?? 3600
        let expiry = try arguments.unsigned64("--expires-at") ?? TokenSigner.unixNow() + UInt64(ttl)
        let token = JoinToken(roomID: room, playerID: arguments.value("--player") ?? "player", role: role, expiresAt: expiry)
        output.out(TokenSigner(secret: Array(secret.utf8)).mint(token) + "\n")
        return CommandLineTool.exitSuccess
    }
}
