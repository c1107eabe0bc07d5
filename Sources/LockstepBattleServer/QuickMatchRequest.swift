import Foundation

/// A `POST /v1/quickmatch` body: `bots`, `playerID` and `maxTicks`, all optional (an empty body is fine).
struct QuickMatchRequest {
    /// The bots to seat after the caller's slot 0.
    var bots: Int
    /// The caller's player id (`player-0` unless given).
    var playerID: String
    /// How many ticks the match lasts, when shorter than the server's default.
    var maxTicks: Int?

    /// Reads `body`: `bots` of 1 to `maxBots`, and `maxTicks` of 1 to `ticksLimit` (a caller may
    /// shorten a match, never lengthen it past the server's default).
    init(json body: [UInt8], defaultBots: Int, maxBots: Int, ticksLimit: Int) throws(BattleError) {
        var object: [String: Any] = [:]
        if !body.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            guard let parsed = try? JSONSerialization.jsonObject(with: Data(body)),
                let dictionary = parsed as? [String: Any]
            else {
                throw .badRequest("the body must be a JSON object")
            }
            object = dictionary
        }
        if let unknown = object.keys.sorted().first(where: { !["bots", "playerID", "maxTicks"].contains($0) }) {
            throw .badRequest("unknown field '\(unknown)' (a quick match takes 'bots', 'playerID' and 'maxTicks')")
        }
        bots = defaultBots
        if let value = object["bots"] {
            guard !RoomRequest.isBoolean(value), let number = value as? Int, (1...maxBots).contains(number) else {
                throw .badRequest("'bots' must be a whole number from 1 to \(maxBots)")
            }
            bots = number
        }
        playerID = "player-0"
        if let value = object["playerID"] {
            guard let text = value as? String, (1...32).contains(text.utf8.count), text.utf8.allSatisfy(Self.isNameByte)
            else {
                throw .badRequest("'playerID' must be 1 to 32 letters, digits, '-' or '_'")
            }
            playerID = text
        }
        if let value = object["maxTicks"] {
            guard !RoomRequest.isBoolean(value), let number = value as? Int, (1...max(1, ticksLimit)).contains(number) else {
                throw .badRequest("'maxTicks' must be a whole number from 1 to \(ticksLimit)")
            }
            maxTicks = number
        }
    }

    /// The `POST /v1/rooms` body of the room: the caller in slot 0, bots in the others.
    var roomRequestBody: [UInt8] {
        let ids = [playerID] + (1...bots).map { "bot-\($0)" }
        var object: [String: Any] = ["players": bots + 1, "bots": bots, "playerIDs": ids]
        if let maxTicks { object["maxTicks"] = maxTicks }
        return Array((try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8))
    }

    private static func isNameByte(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
            || byte == 0x2D || byte == 0x5F
    }
}
