import Foundation
import LockstepBattleServer
import LockstepClient
import LockstepHTTP
import LockstepProtocol
import LockstepRedis
import LockstepServer

/// The directory: rooms of other nodes, where a room is, and `GET /v1/cluster`.
extension ClusterNode {
    /// The room's directory record (`nil`: no such room), or why Redis could not be read.
    private func record(_ id: String, completion: @escaping @Sendable (Result<[String: String]?, RedisError>) -> Void) {
        redis.command(["HGETALL", keys.room(id)]) { result in
            completion(result.map { value in
                let items = value.array ?? []
                guard !items.isEmpty else { return nil }
                var fields: [String: String] = [:]
                var index = 0
                while index + 1 < items.count {
                    fields[items[index].string ?? ""] = items[index + 1].string ?? ""
                    index += 2
                }
                return fields
            })
        }
    }

    public func locateRoom(_ id: String, completion: @escaping @Sendable (RoomLocation) -> Void) {
        record(id) { [self] result in
            switch result {
            case .failure(let error):
                metrics.directoryFailures.add(1, ordering: .relaxed)
                logger.warning("cluster_directory_read_failed", ["request": "locate", "room": id, "error": error.description])
                completion(.unknown(error.description))
            case .success(let fields):
                guard let fields, let node = fields["node"], node != configuration.nodeID, let play = fields["play"],
                    ["placed", "created", "running"].contains(fields["state"] ?? "")
                else {
                    completion(.notFound)
                    return
                }
                metrics.redirects.add(1, ordering: .relaxed)
                completion(.elsewhere(playURL: "\(play)\(ProtocolVersion.path)?room=\(id)"))
            }
        }
    }

    /// `POST /v1/rooms/ID/end` of a room this node does not have: forwarded to its owner.
    public func endRoom(_ id: String, responder: HTTPResponder) {
        record(id) { [self] result in
            guard case .success(let fields?) = result, let url = fields["url"], fields["node"] != configuration.nodeID,
                ["placed", "created", "running"].contains(fields["state"] ?? "")
            else {
                if case .failure(let error) = result {
                    directoryUnreachable("end", room: id, error.description, responder)
                } else {
                    responder.respond(BattleServer.errorAnswer(status: 404, "not found: room \(id)"))
                }
                return
            }
            let adminKey = configuration.adminKey
            forwards.async {
                guard let (host, port) = try? Self.hostPort(url),
                    let answer = try? AdminClient(host: host, port: port, adminKey: adminKey).request("POST", "/v1/rooms/\(id)/end")
                else {
                    responder.respond(BattleServer.errorAnswer(status: 503, "unavailable: node \(fields["node"] ?? "?") is unreachable"))
                    return
                }
                var response = HTTPResponse(status: HTTPStatus(code: answer.status, reason: answer.status == 200 ? "OK" : "Error"), body: answer.body)
                response.headers.replaceOrAdd(name: "Content-Type", value: "application/json")
                responder.respond(response)
            }
        }
    }

    /// `GET /v1/rooms/ID` of a room this node does not have: the owner's own answer when it is
    /// live, else what the directory knows (`phase` `lost` or `ended`, `node`).
    public func readRoom(_ id: String, responder: HTTPResponder) {
        record(id) { [self] result in
            switch result {
            case .failure(let error):
                directoryUnreachable("read", room: id, error.description, responder)
            case .success(nil):
                responder.respond(BattleServer.errorAnswer(status: 404, "not found: room \(id)"))
            case .success(let fields?):
                let summary = Self.summary(id, fields)
                let state = fields["state"] ?? ""
                guard let url = fields["url"], fields["node"] != configuration.nodeID, ["placed", "created", "running"].contains(state) else {
                    responder.respond(BattleServer.jsonAnswer(.ok, summary))
                    return
                }
                let adminKey = configuration.adminKey
                forwards.async {
                    if let (host, port) = try? Self.hostPort(url),
                        let answer = try? AdminClient(host: host, port: port, adminKey: adminKey).request("GET", "/v1/rooms/\(id)"),
                        answer.status == 200, var object = answer.json
                    {
                        object["node"] = fields["node"]
                        responder.respond(BattleServer.jsonAnswer(.ok, object))
                    } else {
                        responder.respond(BattleServer.jsonAnswer(.ok, Self.summary(id, fields)))
                    }
                }
            }
        }
    }

    static func summary(_ id: String, _ fields: [String: String]) -> [String: Any] {
        var summary: [String: Any] = ["roomID": id, "phase": fields["state"] ?? "unknown", "node": fields["node"] ?? ""]
        if let play = fields["play"] { summary["url"] = "\(play)\(ProtocolVersion.path)?room=\(id)" }
        if let reason = fields["endReason"] { summary["endReason"] = reason }
        return summary
    }

    /// `GET /v1/cluster`: this node's id, Redis's state, and every live node with its load.
    func status(_ responder: HTTPResponder) {
        let connected = redis.metrics.connected.load(ordering: .relaxed) == 1
        redis.eval(ClusterScripts.list, keys: [keys.nodes], arguments: [keys.prefix]) { [self] result in
            guard case .success(let reply) = result, let items = reply.array else {
                var why = "an unexpected reply"
                if case .failure(let error) = result { why = error.description }
                directoryUnreachable("cluster", room: nil, why, responder)
                return
            }
            var nodes: [[String: Any]] = []
            var index = 0
            while index + 1 < items.count {
                let fields = items[index + 1].array ?? []
                var node: [String: Any] = ["id": items[index].string ?? ""]
                var pair = 0
                while pair + 1 < fields.count {
                    let name = fields[pair].string ?? ""
                    let value = fields[pair + 1]
                    if ["capacity", "rooms", "live", "connections", "heartbeat", "started"].contains(name) {
                        node[name] = Int(value.integer ?? 0)
                    } else if name != "id" {
                        node[name] = value.string ?? ""
                    }
                    pair += 2
                }
                nodes.append(node)
                index += 2
            }
            responder.respond(BattleServer.jsonAnswer(.ok, ["node": configuration.nodeID, "redis": connected ? "connected" : "disconnected", "nodes": nodes]))
        }
    }

    /// Logs, counts and answers a request the directory could not serve (503).
    func directoryUnreachable(_ request: String, room: String?, _ why: String, _ responder: HTTPResponder) {
        metrics.directoryFailures.add(1, ordering: .relaxed)
        logger.warning("cluster_directory_read_failed", ["request": request, "room": room ?? "-", "error": why])
        responder.respond(BattleServer.errorAnswer(status: 503, "unavailable: the cluster directory (Redis) is unreachable: \(why)"))
    }
}
