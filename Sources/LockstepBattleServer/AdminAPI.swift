import Foundation
import LockstepCore
import LockstepCrypto
import LockstepEventLoop
import LockstepHTTP
import LockstepProtocol
import LockstepRoom
import LockstepServer

/// The HTTP admin API on the server's port: create, list, read and end rooms.
///
/// Every request needs `Authorization: Bearer <admin key>`. Bodies and answers are JSON.
/// Errors answer `{"error": "..."}` with 400, 401, 404, 409, 429 or 503.
struct AdminAPI: Sendable {
    let battle: BattleServer

    func install(on server: Server) {
        let api = self
        server.addRoute("POST", "/v1/rooms") { request, _, responder in api.authorized(request, responder) { api.create(request, responder) } }
        server.addRoute("GET", "/v1/rooms") { request, _, responder in api.authorized(request, responder) { api.list(responder) } }
        server.addRoute("GET", "/v1/rooms/:id") { request, parameters, responder in
            api.authorized(request, responder) { api.read(parameters["id"] ?? "", responder) }
        }
        server.addRoute("POST", "/v1/rooms/:id/end") { request, parameters, responder in
            api.authorized(request, responder) { api.end(parameters["id"] ?? "", responder) }
        }
        installDrain(on: server)
    }

    func authorized(_ request: HTTPRequest, _ responder: HTTPResponder, _ body: () -> Void) {
        let presented = request.headers.first("Authorization") ?? ""
        let expected = "Bearer " + battle.adminKey
        guard ConstantTime.equals(Array(presented.utf8), Array(expected.utf8)) else {
            battle.directory.metrics.authFailures.add(1, ordering: .relaxed)
            battle.logger.warning("admin_auth_failed", ["path": request.path])
            responder.respond(Self.error(.unauthorized))
            return
        }
        body()
    }

    private func create(_ request: HTTPRequest, _ responder: HTTPResponder) {
        let cluster = battle.cluster.current
        let placedID = request.headers.first(BattleServer.placedRoomHeader)
        // In a cluster, a creation not placed yet is placed first (maybe on another node).
        if let cluster, placedID == nil {
            cluster.placeRoom(body: request.body, responder: responder)
            return
        }
        let host = request.headers.first("Host") ?? "127.0.0.1:\(battle.port)"
        let playBase = cluster?.playBaseURL ?? "ws://\(host)"
        battle.createRoom(json: request.body, placedID: placedID) { result in
            responder.respond(Self.creationAnswer(result, playBase: playBase))
        }
    }

    /// The answer to a creation: 201 with the room's id, play URL (on `playBase`, `ws://HOST:PORT`) and tokens, or the error.
    static func creationAnswer(_ result: Result<CreatedRoom, BattleError>, playBase: String) -> HTTPResponse {
        switch result {
        case .success(let created):
            var answer: [String: Any] = [
                "roomID": created.roomID,
                "url": "\(playBase)\(ProtocolVersion.path)?room=\(created.roomID)",
                "subprotocol": ProtocolVersion.subprotocol,
                "expiresAt": created.expiresAt,
                "spectatorToken": created.spectatorToken,
                "bots": created.botSlots,
            ]
            answer["tokens"] = created.tokens.enumerated().map { slot, token in
                ["slot": slot, "playerID": created.playerIDs[slot], "token": token] as [String: Any]
            }
            return json(.created, answer)
        case .failure(let error):
            return Self.error(error)
        }
    }

    private func list(_ responder: HTTPResponder) {
        let rooms = battle.directory.all().map { id, entry in summary(id, entry) }
        let interrupted = battle.directory.interrupted().map(summary)
        responder.respond(Self.json(.ok, ["rooms": rooms + interrupted]))
    }

    private func read(_ id: String, _ responder: HTTPResponder) {
        if let entry = battle.directory.entry(id) {
            responder.respond(Self.json(.ok, summary(id, entry)))
        } else if let replay = battle.directory.interrupted().first(where: { $0.roomID == id }) {
            responder.respond(Self.json(.ok, summary(replay)))
        } else if let cluster = battle.cluster.current {
            cluster.readRoom(id, responder: responder)
        } else {
            responder.respond(Self.error(.notFound("room \(id)")))
        }
    }

    /// A match an earlier run of the server left unfinished (found at start-up).
    private func summary(_ replay: InterruptedReplay) -> [String: Any] {
        ["roomID": replay.roomID, "phase": "interrupted", "replay": replay.path, "replayStatus": "interrupted", "replayBytes": replay.bytes]
    }

    private func end(_ id: String, _ responder: HTTPResponder) {
        guard let entry = battle.directory.entry(id) else {
            if let cluster = battle.cluster.current { return cluster.endRoom(id, responder: responder) }
            responder.respond(Self.error(.notFound("room \(id)")))
            return
        }
        guard let reference = entry.driver else {
            responder.respond(Self.json(.ok, ["roomID": id, "phase": "ended"]))  // it had ended already
            return
        }
        entry.loop.execute {
            reference.driver.end(.adminEnded)
            responder.respond(Self.json(.ok, ["roomID": id, "phase": "ended"]))
        }
    }

    private func summary(_ id: String, _ entry: RoomDirectory.Entry) -> [String: Any] {
        let gauges = entry.gauges
        let phase = RoomPhase(rawValue: gauges.phase.load(ordering: .relaxed)) ?? .waiting
        var result: [String: Any] = [
            "roomID": id,
            "phase": "\(phase)",
            "connectedPlayers": gauges.connectedPlayers.load(ordering: .relaxed),
            "spectators": gauges.spectators.load(ordering: .relaxed),
            "ticks": gauges.ticks.load(ordering: .relaxed),
            "lateTicks": gauges.lateTicks.load(ordering: .relaxed),
            "desyncs": gauges.desyncs.load(ordering: .relaxed),
            "inputsLateDropped": gauges.lateDropped.load(ordering: .relaxed),
            "inputsLateMoved": gauges.lateMoved.load(ordering: .relaxed),
            "inputsMissingFilled": gauges.missingRepeated.load(ordering: .relaxed) + gauges.missingNeutral.load(ordering: .relaxed),
            "replay": entry.replayPath,
            "replayStatus": (RoomReplayState(rawValue: gauges.replayState.load(ordering: .relaxed)) ?? .writing).name,
            "createdAt": entry.createdUnix,
            "simulation": entry.simulationID,
            "simulationVersion": Int(entry.simulationVersion),
            "serverSimulates": entry.isResimulated,
            "bots": entry.botSlots,
        ]
        if let reason = entry.endedReason { result["endReason"] = "\(reason)" }
        return result
    }

    static func json(_ status: HTTPStatus, _ object: [String: Any]) -> HTTPResponse {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        var response = HTTPResponse(status: status, body: Array(data) + [0x0A])
        response.headers.replaceOrAdd(name: "Content-Type", value: "application/json")
        return response
    }

    static func error(_ error: BattleError) -> HTTPResponse {
        json(HTTPStatus(code: error.status, reason: reasonPhrase(error.status)), ["error": error.description])
    }

    static func reasonPhrase(_ code: Int) -> String {
        switch code {
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 413: "Content Too Large"
        case 404: "Not Found"
        case 409: "Conflict"
        case 429: "Too Many Requests"
        default: "Service Unavailable"
        }
    }
}
