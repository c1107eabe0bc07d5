import LockstepHTTP
import LockstepServer

/// The battle server as one node of a cluster (`LockstepCluster`): the hooks it calls and what it
/// tells the cluster about itself.
extension BattleServer {
    /// The header a placing node sends with a forwarded `POST /v1/rooms`: the room id it reserved
    /// in the directory. A creation carrying it is created here, not placed again.
    public static let placedRoomHeader = "X-Lockstep-Room"

    /// Joins a cluster (before `start()`): creations are placed through it, reads and joins of
    /// rooms of other nodes are answered through it.
    public func attachCluster(_ cluster: any ClusterHooks) {
        self.cluster.attach(cluster)
    }

    /// Adds an admin route (before `start()`): it answers 401 without the admin key, like the others.
    public func addAdminRoute(_ method: String, _ path: String, _ handler: @escaping HTTPRouteHandler) {
        let api = AdminAPI(battle: self)
        server.addRoute(method, path) { request, parameters, responder in
            api.authorized(request, responder) { handler(request, parameters, responder) }
        }
    }

    /// Adds Prometheus families to `GET /metrics` (before `start()`).
    public func addMetricsProvider(_ provider: @escaping @Sendable () -> String) {
        server.addMetricsProvider(provider)
    }

    /// The ids of the rooms that have not ended, sorted.
    public func liveRoomIDs() -> [String] {
        directory.all().filter { $0.1.endedReason == nil }.map { $0.0 }
    }

    /// Open connections now (0 before `start()`).
    public var openConnections: Int { Int(server.metrics?.connectionsOpen ?? 0) }

    /// Creates a room that a cluster placed here under `roomID` and calls `completion` with the
    /// admin API's answer (201 and its JSON, or the error): for a placing node that is this node.
    public func createPlacedRoom(json: [UInt8], roomID: String, playBaseURL: String, completion: @escaping @Sendable (HTTPResponse) -> Void) {
        createRoom(json: json, placedID: roomID) { result in
            completion(AdminAPI.creationAnswer(result, playBase: playBaseURL))
        }
    }

    /// The admin API's JSON answer with `status` (for cluster routes).
    public static func jsonAnswer(_ status: HTTPStatus, _ object: [String: Any]) -> HTTPResponse {
        AdminAPI.json(status, object)
    }

    /// The admin API's error answer: `{"error": "…"}` with `status`.
    public static func errorAnswer(status: Int, _ message: String) -> HTTPResponse {
        AdminAPI.json(HTTPStatus(code: status, reason: AdminAPI.reasonPhrase(status)), ["error": message])
    }
}
