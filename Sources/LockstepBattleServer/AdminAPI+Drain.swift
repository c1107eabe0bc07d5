import Foundation
import LockstepHTTP
import LockstepServer

extension AdminAPI {
    /// `POST /v1/drain`: starts draining (see `BattleServer.drain(timeoutSeconds:)`).
    ///
    /// The body is empty or a JSON object; `timeoutSeconds` (a whole number ≥ 0, or `null` for no
    /// timeout) overrides the configured drain timeout. Answers **202** with
    /// `{"state": "draining"|"drained", "rooms": N, "players": N, "timeoutSeconds": N|null}`; a
    /// second call answers the same with the first call's timeout. 400 for a bad body, 503 once
    /// the server is shutting down.
    func installDrain(on server: Server) {
        let api = self
        server.addRoute("POST", "/v1/drain") { request, _, responder in
            api.authorized(request, responder) { api.drain(request, responder) }
        }
    }

    private func drain(_ request: HTTPRequest, _ responder: HTTPResponder) {
        var timeout = battle.configuration.drainTimeoutSeconds
        if !request.body.isEmpty {
            guard let object = (try? JSONSerialization.jsonObject(with: Data(request.body))) as? [String: Any] else {
                responder.respond(Self.error(.badRequest("the body must be a JSON object")))
                return
            }
            if let value = object["timeoutSeconds"] {
                if value is NSNull {
                    timeout = nil
                } else if let number = value as? Int, number >= 0, !(value is Bool) {
                    timeout = number
                } else {
                    responder.respond(
                        Self.error(.badRequest("'timeoutSeconds' must be a whole number of seconds or null")))
                    return
                }
            }
        }
        if battle.state == .stopping {
            responder.respond(Self.error(.unavailable("the server is shutting down")))
            return
        }
        let state = battle.drain(timeoutSeconds: timeout)
        let counts = battle.counts
        var answer: [String: Any] = ["state": state.name, "rooms": counts.rooms, "players": counts.players]
        if case .draining(let seconds) = state {
            answer["timeoutSeconds"] = seconds.map { $0 as Any } ?? NSNull()
        } else {
            answer["timeoutSeconds"] = NSNull()
        }
        responder.respond(Self.json(HTTPStatus(code: 202, reason: "Accepted"), answer))
    }
}
