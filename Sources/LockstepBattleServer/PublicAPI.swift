import Foundation
import LockstepCrypto
import LockstepEventLoop
import LockstepHTTP
import LockstepProtocol
import LockstepRoom
import LockstepServer

/// What the browser pages use: quick matches against the server's bots, the rooms to watch, and
/// the finished matches' replays (docs/PROTOCOL.md, "Admin API").
///
/// The admin key always works. Without an `Authorization` header these answer only when the
/// operator allows public access (`BattleConfiguration.publicAccess`; by default only on a
/// loopback address), and then quick matches are rate-limited per address and capped; otherwise
/// 403. A wrong key is 401 either way.
struct PublicAPI: Sendable {
    let battle: BattleServer

    /// Who is asking.
    enum Caller {
        case admin
        case anyone
    }

    func install(on server: Server) {
        let api = self
        server.addRoute("POST", "/v1/quickmatch") { request, _, responder in
            api.caller(request, responder) { api.quickMatch(request, $0, responder) }
        }
        server.addRoute("GET", "/v1/public/rooms") { request, _, responder in
            api.caller(request, responder) { _ in api.rooms(request, responder) }
        }
        server.addRoute("GET", "/v1/replays") { request, _, responder in
            api.caller(request, responder) { _ in api.replays(request, responder) }
        }
        server.addRoute("GET", "/v1/replays/:id") { request, parameters, responder in
            api.caller(request, responder) { _ in api.replay(parameters["id"] ?? "", responder) }
        }
    }

    private func caller(_ request: HTTPRequest, _ responder: HTTPResponder, _ body: (Caller) -> Void) {
        if let presented = request.headers.first("Authorization") {
            guard ConstantTime.equals(Array(presented.utf8), Array(("Bearer " + battle.adminKey).utf8)) else {
                battle.directory.metrics.authFailures.add(1, ordering: .relaxed)
                battle.logger.warning("admin_auth_failed", ["path": request.path])
                responder.respond(AdminAPI.error(.unauthorized))
                return
            }
            body(.admin)
            return
        }
        guard battle.publicAccessAllowed else {
            responder.respond(
                AdminAPI.error(
                    .forbidden(
                        "public access is off on this server (lockstep serve --public-quickmatch): send Authorization: Bearer <admin key>"
                    )))
            return
        }
        body(.anyone)
    }

    // MARK: Quick match

    private func quickMatch(_ request: HTTPRequest, _ caller: Caller, _ responder: HTTPResponder) {
        let configuration = battle.configuration
        let asked: QuickMatchRequest
        do throws(BattleError) {
            asked = try QuickMatchRequest(
                json: request.body, defaultBots: configuration.quickMatchDefaultBots,
                maxBots: configuration.quickMatchMaxBots, ticksLimit: configuration.roomDefaults.maxTicks)
        } catch {
            responder.respond(AdminAPI.error(error))
            return
        }
        let isPublic = caller == .anyone
        if isPublic {
            guard battle.quickMatchLimiter.admit(responder.remoteAddress, now: MonotonicInstant.now().nanoseconds)
            else {
                battle.logger.warning("quickmatch_rate_limited", ["addr": responder.remoteAddress])
                var response = AdminAPI.error(
                    .tooManyRequests(
                        "at most \(configuration.publicQuickMatchesPerMinute) quick matches a minute from one address"))
                response.headers.replaceOrAdd(
                    name: "Retry-After",
                    value: String(
                        (59 + configuration.publicQuickMatchesPerMinute) / configuration.publicQuickMatchesPerMinute))
                responder.respond(response)
                return
            }
            guard battle.directory.reservePublicRoom(limit: configuration.publicMaxRooms) else {
                responder.respond(AdminAPI.error(.limitReached("\(configuration.publicMaxRooms) public rooms at once")))
                return
            }
        }
        let host = request.headers.first("Host") ?? "127.0.0.1:\(battle.port)"
        let defaults = configuration.roomDefaults
        battle.createRoom(json: asked.roomRequestBody, isPublic: isPublic) { result in
            switch result {
            case .success(let created):
                let url = "ws://\(host)\(ProtocolVersion.path)?room=\(created.roomID)"
                let answer: [String: Any] = [
                    "roomID": created.roomID, "url": url, "subprotocol": ProtocolVersion.subprotocol, "slot": 0,
                    "playerID": created.playerIDs[0], "token": created.tokens[0],
                    "spectatorToken": created.spectatorToken,
                    "expiresAt": created.expiresAt, "players": created.playerIDs.count, "bots": created.botSlots,
                    "simulation": defaults.simulationID, "simulationVersion": Int(defaults.simulationVersion),
                    "watch": ["url": url, "token": created.spectatorToken] as [String: Any],
                ]
                battle.logger.info(
                    "quickmatch_created", ["room": created.roomID, "bots": created.botSlots.count, "public": isPublic])
                responder.respond(AdminAPI.json(.created, answer))
            case .failure(let error):
                responder.respond(AdminAPI.error(error))
            }
        }
    }

    // MARK: Rooms to watch

    /// The most rooms `GET /v1/public/rooms` lists (the newest).
    static let maxListedRooms = 100

    private func rooms(_ request: HTTPRequest, _ responder: HTTPResponder) {
        let host = request.headers.first("Host") ?? "127.0.0.1:\(battle.port)"
        let expiresAt = TokenSigner.unixNow() + battle.configuration.tokenLifetimeSeconds
        let live = battle.directory.all().filter { $0.1.endedReason == nil }
            .sorted { ($0.1.createdUnix, $1.0) > ($1.1.createdUnix, $0.0) }
            .prefix(Self.maxListedRooms)
        let rooms: [[String: Any]] = live.map { id, entry in
            let gauges = entry.gauges
            let phase = RoomPhase(rawValue: gauges.phase.load(ordering: .relaxed)) ?? .waiting
            return [
                "roomID": id, "phase": "\(phase)", "simulation": entry.simulationID,
                "simulationVersion": Int(entry.simulationVersion),
                "players": entry.players, "bots": entry.botSlots,
                "connectedPlayers": gauges.connectedPlayers.load(ordering: .relaxed),
                "spectators": gauges.spectators.load(ordering: .relaxed),
                "ticks": gauges.ticks.load(ordering: .relaxed),
                "createdAt": entry.createdUnix, "url": "ws://\(host)\(ProtocolVersion.path)?room=\(id)",
                "spectatorToken": battle.signer.mint(
                    JoinToken(roomID: id, playerID: "spectator", role: .spectator, expiresAt: expiresAt)),
                "expiresAt": expiresAt,
            ]
        }
        responder.respond(AdminAPI.json(.ok, ["rooms": rooms]))
    }

    // MARK: Replays

    private func replays(_ request: HTTPRequest, _ responder: HTTPResponder) {
        var limit = 100
        if let text = request.queryValue("limit") {
            guard let value = Int(text), (1...1000).contains(value) else {
                responder.respond(AdminAPI.error(.badRequest("'limit' must be 1 to 1000")))
                return
            }
            limit = value
        }
        battle.replays.list(limit: limit) { summaries in
            responder.respond(AdminAPI.json(.ok, ["replays": summaries.map(\.json)]))
        }
    }

    private func replay(_ id: String, _ responder: HTTPResponder) {
        // The whole file is one write: it must fit under the connection's outbound cap.
        let cap = battle.network.configuration.connection.outboundCap - 64 * 1024
        battle.replays.read(id: id, maxBytes: cap) { result in
            switch result {
            case .success(let bytes):
                var response = HTTPResponse(status: .ok, body: bytes)
                response.headers.replaceOrAdd(name: "Content-Type", value: "application/octet-stream")
                response.headers.replaceOrAdd(name: "Content-Disposition", value: "attachment; filename=\"\(id).lsr\"")
                response.headers.replaceOrAdd(name: "Cache-Control", value: "no-cache")
                responder.respond(response)
            case .failure(let error):
                responder.respond(AdminAPI.error(error))
            }
        }
    }
}
