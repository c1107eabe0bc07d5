import Foundation
import LockstepBattleServer
import LockstepClient
import LockstepHTTP
import LockstepRedis
import LockstepServer

/// Placement: `POST /v1/rooms` on any node.
extension ClusterNode {
    /// How many nodes one creation tries before giving up (a chosen node may be starting to drain
    /// or be unreachable; each failure gives its slot back and skips it).
    static let placementAttempts = 3

    public func placeRoom(body: [UInt8], responder: HTTPResponder) {
        let roomID: String
        switch Self.requestedRoomID(body) {
        case .failure(let message):
            responder.respond(BattleServer.errorAnswer(status: 400, "bad request: \(message)"))
            return
        case .success(let id):
            roomID = id ?? "room-" + Self.randomHex(8)
        }
        place(roomID: roomID, body: body, skipping: [], responder: responder)
    }

    private func place(roomID: String, body: [UInt8], skipping: [String], responder: HTTPResponder) {
        let arguments = [roomID, String(Self.unixMillis()), keys.prefix] + skipping
        redis.eval(ClusterScripts.place, keys: [keys.nodes, keys.room(roomID)], arguments: arguments) { [self] result in
            let reply: [RESPValue]
            switch result {
            case .failure(let error):
                metrics.placementsFailed.add(1, ordering: .relaxed)
                logger.warning("cluster_placement_failed", ["room": roomID, "error": error.description])
                responder.respond(BattleServer.errorAnswer(status: 503, "unavailable: the cluster directory (Redis) is unreachable: \(error)"))
                return
            case .success(let value):
                guard let values = value.array, let outcome = values.first?.string else {
                    metrics.placementsFailed.add(1, ordering: .relaxed)
                    logger.warning("cluster_placement_failed", ["room": roomID, "error": value.errorMessage ?? "unexpected reply"])
                    responder.respond(BattleServer.errorAnswer(status: 503, "unavailable: the cluster directory answered \(value.errorMessage ?? "unexpectedly")"))
                    return
                }
                reply = values
                switch outcome {
                case "exists":
                    responder.respond(BattleServer.errorAnswer(status: 400, "bad request: room \(roomID) exists"))
                    return
                case "full":
                    metrics.placementsFull.add(1, ordering: .relaxed)
                    logger.info("cluster_full", ["room": roomID])
                    responder.respond(BattleServer.errorAnswer(status: 429, "limit reached: no ready node of the cluster has a free room slot"))
                    return
                default:
                    break
                }
            }
            guard reply.count >= 4, let node = reply[1].string, let adminURL = reply[2].string else {
                responder.respond(BattleServer.errorAnswer(status: 503, "unavailable: the cluster directory answered unexpectedly"))
                return
            }
            metrics.placed.add(1, ordering: .relaxed)
            create(roomID: roomID, body: body, on: node, adminURL: adminURL, skipping: skipping, responder: responder)
        }
    }

    /// Has `node` create the placed room: this node directly, another over its admin API.
    private func create(roomID: String, body: [UInt8], on node: String, adminURL: String, skipping: [String], responder: HTTPResponder) {
        if node == configuration.nodeID {
            battle.createPlacedRoom(json: body, roomID: roomID, playBaseURL: playBaseURL) { [self] response in
                if response.status.code != 201 { release(roomID, node: node) }
                responder.respond(response)
            }
            return
        }
        let adminKey = configuration.adminKey
        forwards.async { [self] in
            let answer: AdminClient.Response
            do {
                let (host, port) = try Self.hostPort(adminURL)
                var client = AdminClient(host: host, port: port, adminKey: adminKey)
                client.timeoutSeconds = 5
                answer = try client.request("POST", "/v1/rooms", body: body, headers: [(BattleServer.placedRoomHeader, roomID)])
            } catch {
                metrics.forwardFailures.add(1, ordering: .relaxed)
                logger.warning("cluster_forward_failed", ["room": roomID, "node": node, "error": "\(error)"])
                release(roomID, node: node)
                retryOrFail(roomID: roomID, body: body, failed: node, skipping: skipping, responder: responder, why: "node \(node) is unreachable")
                return
            }
            if answer.status == 503 {
                // Draining or stopping since its last heartbeat: another node may take it.
                release(roomID, node: node)
                retryOrFail(roomID: roomID, body: body, failed: node, skipping: skipping, responder: responder, why: "node \(node) refused: \(String(decoding: answer.body, as: UTF8.self))")
                return
            }
            if answer.status != 201 { release(roomID, node: node) }
            var response = HTTPResponse(status: HTTPStatus(code: answer.status, reason: answer.status == 201 ? "Created" : "Error"), body: answer.body)
            response.headers.replaceOrAdd(name: "Content-Type", value: "application/json")
            responder.respond(response)
        }
    }

    private func retryOrFail(roomID: String, body: [UInt8], failed node: String, skipping: [String], responder: HTTPResponder, why: String) {
        let skip = skipping + [node]
        if skip.count < Self.placementAttempts {
            place(roomID: roomID, body: body, skipping: skip, responder: responder)
        } else {
            metrics.placementsFailed.add(1, ordering: .relaxed)
            responder.respond(BattleServer.errorAnswer(status: 503, "unavailable: \(why)"))
        }
    }

    /// Gives a failed creation's slot back (logged and counted if Redis cannot be told: the
    /// owner's heartbeat frees it after 30 s).
    func release(_ roomID: String, node: String) {
        redis.eval(ClusterScripts.release, keys: [keys.room(roomID), keys.node(node), keys.nodeRooms(node)], arguments: [roomID]) {
            [self] result in
            if case .failure(let error) = result {
                metrics.directoryFailures.add(1, ordering: .relaxed)
                logger.warning("cluster_release_failed", ["room": roomID, "node": node, "error": error.description])
            }
        }
    }

    /// The `roomID` of a creation body, if it names one; a failure for a body that is not a JSON object.
    static func requestedRoomID(_ body: [UInt8]) -> Result<String?, CreationBodyError> {
        if body.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { return .success(nil) }
        guard let parsed = try? JSONSerialization.jsonObject(with: Data(body)), let object = parsed as? [String: Any] else {
            return .failure(CreationBodyError("the body must be a JSON object"))
        }
        guard let value = object["roomID"] else { return .success(nil) }
        // The room's own rule (`RoomSettings`), checked before the id is reserved in the directory.
        guard let id = value as? String, (1...64).contains(id.utf8.count),
            id.utf8.allSatisfy({ $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) })
        else {
            return .failure(CreationBodyError("roomID: must be 1 to 64 letters, digits, '-' or '_'"))
        }
        return .success(id)
    }

    static func hostPort(_ url: String) throws -> (String, Int) {
        let authority = url.dropFirst("http://".count)
        guard url.hasPrefix("http://"), let colon = authority.lastIndex(of: ":"), let port = Int(authority[authority.index(after: colon)...]) else {
            throw AdminClient.Failure(description: "bad node URL \(url)")
        }
        return (String(authority[..<colon]), port)
    }

    static func randomHex(_ count: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }
}

/// Why a creation body cannot be placed.
struct CreationBodyError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
