import Foundation
import LockstepCore
import LockstepRoom

/// A `POST /v1/rooms` body, parsed and validated into room settings.
///
/// Every field is optional and falls back to the server's `RoomDefaults`: `players` (default 2),
/// `tickRate`, `inputDelay`, `leadWindow`, `lateWindow`, `latePolicy` (`drop`, `next-open-tick`),
/// `missingPolicy` (`repeat-last`, `neutral`), `payloadLimit`, `simulation`, `simulationVersion`,
/// `seed` (a number, or a string for values above 2^53), `maxTicks` or `maxDurationSeconds`,
/// `hashInterval`, `desyncPolicy` (`report`, `drop`), `spectatorDelay`, `minPlayers`,
/// `startTimeoutSeconds`, `abandonTimeoutSeconds`, `rollbackTicks` (frames kept in memory for
/// catch-up; older ones are read from the replay file), `playerIDs` (strings, one per slot), `roomID`,
/// `bots` (how many of the last slots the server plays itself with the simulation's bots; only for
/// a game it runs and has bots for).
struct RoomRequest {
    var settings: RoomSettings
    var playerIDs: [String]

    /// Whether a parsed JSON value was `true`/`false` (Foundation bridges 0 and 1 to `Bool` too,
    /// so the dynamic type decides).
    static func isBoolean(_ value: Any) -> Bool {
        String(describing: type(of: value)).contains("Bool")
    }

    init(
        json body: [UInt8], defaults: RoomDefaults, roomID generated: String, phaseOffsetNanos: UInt64,
        simulations: SimulationRegistry = SimulationRegistry()
    ) throws(BattleError) {
        let object: [String: Any]
        if body.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            object = [:]
        } else {
            guard let parsed = try? JSONSerialization.jsonObject(with: Data(body)), let dictionary = parsed as? [String: Any] else {
                throw .badRequest("the body must be a JSON object")
            }
            object = dictionary
        }
        let known: Set<String> = [
            "players", "tickRate", "inputDelay", "leadWindow", "lateWindow", "latePolicy", "missingPolicy", "payloadLimit",
            "simulation", "simulationVersion", "seed", "maxTicks", "maxDurationSeconds", "hashInterval", "desyncPolicy",
            "spectatorDelay", "minPlayers", "startTimeoutSeconds", "abandonTimeoutSeconds", "rollbackTicks", "playerIDs", "roomID", "bots",
        ]
        if let unknown = object.keys.sorted().first(where: { !known.contains($0) }) {
            throw .badRequest("unknown field '\(unknown)'")
        }
        func int(_ key: String, _ fallback: Int) throws(BattleError) -> Int {
            guard let value = object[key] else { return fallback }
            guard !Self.isBoolean(value), let number = value as? Int else { throw .badRequest("'\(key)' must be a whole number") }
            return number
        }
        func string(_ key: String, _ fallback: String) throws(BattleError) -> String {
            guard let value = object[key] else { return fallback }
            guard let text = value as? String else { throw .badRequest("'\(key)' must be a string") }
            return text
        }
        let players = try int("players", 2)
        // Checked before anything is sized by it: `playerIDs` below is built from this number
        // (a negative one trapped the server; a huge one allocated that many strings).
        guard (1...PlayerSlot.maximumCount).contains(players) else {
            throw .badRequest("'players' must be 1 to \(PlayerSlot.maximumCount)")
        }
        let rate = try int("tickRate", defaults.tickRate)
        guard let latePolicy = LateInputPolicy(rawValue: try string("latePolicy", defaults.latePolicy.rawValue)) else {
            throw .badRequest("'latePolicy' must be drop or next-open-tick")
        }
        guard let missingPolicy = MissingInputPolicy(rawValue: try string("missingPolicy", defaults.missingPolicy.rawValue)) else {
            throw .badRequest("'missingPolicy' must be repeat-last or neutral")
        }
        guard let desyncPolicy = DesyncPolicy(rawValue: try string("desyncPolicy", defaults.desyncPolicy.rawValue)) else {
            throw .badRequest("'desyncPolicy' must be report or drop")
        }
        var seed = UInt64.random(in: 0...UInt64.max)
        if let value = object["seed"] {
            if let number = value as? Int, number >= 0 {
                seed = UInt64(number)
            } else if let text = value as? String, let number = UInt64(text) {
                seed = number
            } else {
                throw .badRequest("'seed' must be a non-negative whole number")
            }
        }
        let simulationID = try string("simulation", defaults.simulationID)
        // A named game needs its version: leaving it out used to mean version 1 of whatever game.
        if object["simulation"] != nil && object["simulationVersion"] == nil {
            throw .badRequest("'simulationVersion' is required with 'simulation'")
        }
        let simulationVersion = try int("simulationVersion", Int(defaults.simulationVersion))
        guard (0...Int(UInt16.max)).contains(simulationVersion) else { throw .badRequest("'simulationVersion' must be 0 to 65535") }
        // A version of a game this server runs that it does not have would be silently relayed.
        let registered = simulations.versions(of: simulationID)
        if !registered.isEmpty && !registered.contains(UInt16(simulationVersion)) {
            let list = registered.map { String($0) }.joined(separator: ", ")
            throw .badRequest("this server runs \(simulationID) version \(list), not \(simulationVersion)")
        }
        if let entry = simulations.entry(id: simulationID, version: UInt16(simulationVersion)), !entry.players.contains(players) {
            throw .badRequest("'players' must be \(entry.players.lowerBound) to \(entry.players.upperBound) for \(simulationID)")
        }
        var maxTicks = try int("maxTicks", defaults.maxTicks)
        if object["maxDurationSeconds"] != nil {
            let seconds = try int("maxDurationSeconds", 0)
            guard (1...31_536_000).contains(seconds), (1...240).contains(rate) else {
                throw .badRequest("'maxDurationSeconds' must be 1 to 31536000 (and the tick rate 1 to 240)")
            }
            maxTicks = seconds * rate
        }
        let roomID = try string("roomID", generated)
        let botCount = try int("bots", 0)
        if botCount != 0 {
            guard (1..<max(1, players)).contains(botCount) else { throw .badRequest("'bots' must be 0 to players - 1 (\(players - 1))") }
            let version = UInt16(simulationVersion)
            guard let entry = simulations.entry(id: simulationID, version: version) else {
                throw .badRequest("bot seats need a game this server runs; \(simulationID) version \(version) is only relayed")
            }
            guard entry.hasBots else { throw .badRequest("\(simulationID) version \(version) has no bots on this server") }
        }
        let botSlots = Array(max(0, players - botCount)..<max(0, players))
        if let ids = object["playerIDs"] {
            guard let list = ids as? [String], list.count == players else { throw .badRequest("'playerIDs' must be \(players) strings") }
            playerIDs = list
        } else {
            playerIDs = (0..<players).map { botSlots.contains($0) ? "bot-\($0)" : "player-\($0)" }
        }
        let startTimeout = try int("startTimeoutSeconds", defaults.startTimeoutSeconds)
        let abandonTimeout = try int("abandonTimeoutSeconds", defaults.abandonTimeoutSeconds)
        guard (1...86_400).contains(startTimeout), (1...86_400).contains(abandonTimeout) else {
            throw .badRequest("timeouts must be 1 to 86400 seconds")
        }
        do {
            let tickRate = try TickRate(hertz: rate)
            let input = try InputCollectorConfiguration(
                slotCount: players, payloadLimit: try int("payloadLimit", defaults.payloadLimit),
                leadWindow: try int("leadWindow", defaults.leadWindow), lateWindow: try int("lateWindow", defaults.lateWindow),
                latePolicy: latePolicy, missingPolicy: missingPolicy)
            settings = try RoomSettings(
                roomID: roomID, players: players, tickRate: tickRate, inputDelay: try int("inputDelay", defaults.inputDelay),
                input: input, simulationID: simulationID, simulationVersion: UInt16(simulationVersion), seed: seed,
                maxTicks: maxTicks, hashInterval: object["hashInterval"] == nil ? nil : try int("hashInterval", 0),
                desyncPolicy: desyncPolicy, spectatorDelay: try int("spectatorDelay", 0),
                minPlayers: object["minPlayers"] == nil ? nil : try int("minPlayers", players),
                startTimeoutNanos: UInt64(startTimeout) * 1_000_000_000, abandonTimeoutNanos: UInt64(abandonTimeout) * 1_000_000_000,
                rollbackCapacity: object["rollbackTicks"] == nil ? nil : try int("rollbackTicks", 0), phaseOffsetNanos: phaseOffsetNanos,
                botSlots: botSlots)
        } catch let error as ConfigurationError {
            throw .badRequest(error.description)
        } catch let error as BattleError {
            throw error
        } catch {
            throw .badRequest("\(error)")
        }
    }
}
