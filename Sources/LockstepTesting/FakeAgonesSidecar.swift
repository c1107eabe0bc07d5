import Foundation
import LockstepEventLoop
import LockstepHTTP
import LockstepServer
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The Agones SDK sidecar's REST API as Agones documents it (sdks/swagger/sdk.swagger.json and
/// beta.swagger.json in googleforgames/agones), on 127.0.0.1, recording every call: what
/// `lockstep serve --agones` is tested against (there is no Kubernetes here).
///
/// Implemented: `POST /ready`, `POST /health`, `POST /shutdown` (body `{}`, answer `{}`),
/// `GET /gameserver` (`object_meta` with name, namespace, labels; `status` with state, address,
/// ports), `PUT /metadata/label` (`{"key","value"}`, stored as `agones.dev/sdk-KEY`),
/// `GET`/`PATCH /v1beta1/counters/NAME` (a `CounterUpdateRequest`: `count`, `capacity`,
/// `countDiff`, int64 as strings or numbers; answers the Counter, OUT_OF_RANGE when the count
/// leaves [0, capacity]), `GET /v1beta1/lists/NAME`, `POST /v1beta1/lists/NAME:addValue` and
/// `:removeValue` (`{"value"}`; ALREADY_EXISTS, NOT_FOUND, OUT_OF_RANGE as documented). Errors
/// are the gRPC gateway's: `{"code": GRPC_CODE, "message": "…", "details": []}` with 400, 404
/// or 409. State changes as in Agones: `Scheduled` → `Ready` → `Shutdown`.
///
/// `Sendable`: its state is under a mutex; routes run on its server's loop.
public final class FakeAgonesSidecar: Sendable {
    /// One recorded call.
    public struct Call: Sendable, Equatable {
        public var method: String
        public var path: String
        public var body: String
        /// The rooms Counter's count when the call came (`nil`: no such Counter).
        public var roomsCount: Int?
    }

    private struct State {
        var calls: [Call] = []
        var gameServerState = "Scheduled"
        var labels: [String: String] = [:]
        var counters: [String: (count: Int, capacity: Int)] = [:]
        var lists: [String: (capacity: Int, values: [String])] = [:]
    }

    private let state = Mutex(State())
    private let server: Server
    /// The port it listens on (chosen at init: a sidecar may be started after its client).
    public let port: Int
    public let gameServerName = "lockstep-fleet-abcde-fghij"

    /// A sidecar with the Counters and Lists a Fleet would declare (by default a `rooms`
    /// Counter of capacity 0 and a `players` List of capacity 1000), not listening yet.
    public init(
        counters: [String: Int] = ["rooms": 0], lists: [String: Int] = ["players": 1000]
    ) throws {
        port = try Self.freePort()
        var configuration = ServerConfiguration()
        configuration.port = port
        configuration.loopCount = 1
        server = try Server(configuration: configuration, logger: Logger(level: .error))
        state.withLock { state in
            for (name, capacity) in counters { state.counters[name] = (0, capacity) }
            for (name, capacity) in lists { state.lists[name] = (capacity, []) }
        }
        installRoutes()
    }

    /// Starts listening on `port`.
    public func start() throws {
        try server.start()
    }

    public func stop() {
        server.shutdown()
    }

    // MARK: What was called

    public var calls: [Call] { state.withLock { $0.calls } }

    /// How many calls `METHOD PATH` got.
    public func count(_ method: String, _ path: String) -> Int {
        calls.filter { $0.method == method && $0.path == path }.count
    }

    public var gameServerState: String { state.withLock { $0.gameServerState } }
    public var labels: [String: String] { state.withLock { $0.labels } }

    /// A Counter's count and capacity.
    public struct Counter: Sendable, Equatable, CustomStringConvertible {
        public var count: Int
        public var capacity: Int

        public init(count: Int, capacity: Int) {
            self.count = count
            self.capacity = capacity
        }

        public var description: String { "\(count)/\(capacity)" }
    }

    public func counter(_ name: String) -> Counter? {
        state.withLock { $0.counters[name].map { Counter(count: $0.count, capacity: $0.capacity) } }
    }

    public func listValues(_ name: String) -> [String]? { state.withLock { $0.lists[name]?.values } }

    // MARK: The API

    private func installRoutes() {
        route("POST", "/ready") { state, _ in
            state.gameServerState = "Ready"
            return .ok([:])
        }
        route("POST", "/health") { _, _ in .ok([:]) }
        route("POST", "/shutdown") { state, _ in
            state.gameServerState = "Shutdown"
            return .ok([:])
        }
        let name = gameServerName
        let port = port
        route("GET", "/gameserver") { state, _ in
            .ok([
                "object_meta": [
                    "name": name, "namespace": "default", "labels": state.labels, "annotations": [String: String](),
                ],
                "status": [
                    "state": state.gameServerState, "address": "127.0.0.1",
                    "ports": [["name": "default", "port": port]],
                ],
            ])
        }
        route("PUT", "/metadata/label") { state, body in
            guard let key = body["key"] as? String, let value = body["value"] as? String else {
                return .error(400, 3, "key and value are required")
            }
            state.labels["agones.dev/sdk-" + key] = value
            return .ok([:])
        }
        route("GET", "/v1beta1/counters/:name") { state, body in Self.counter(&state, body, update: false) }
        route("PATCH", "/v1beta1/counters/:name") { state, body in Self.counter(&state, body, update: true) }
        route("GET", "/v1beta1/lists/:name") { state, body in
            let name = body["name"] as? String ?? ""
            guard let list = state.lists[name] else { return .error(404, 5, "List not found: \(name)") }
            return .ok(["name": name, "capacity": String(list.capacity), "values": list.values])
        }
        route("POST", "/v1beta1/lists/:name") { state, body in Self.listValue(&state, body) }
    }

    private enum Answer {
        case ok([String: Any])
        /// HTTP status, gRPC code, message.
        case error(Int, Int, String)
    }

    /// Adds a route whose JSON body (plus the `:name` parameter as `name`) goes to `handle`
    /// under the lock, and records the call.
    private func route(
        _ method: String, _ path: String, _ handle: @escaping @Sendable (inout State, [String: Any]) -> Answer
    ) {
        server.addRoute(method, path) { [self] request, parameters, responder in
            var body = (try? JSONSerialization.jsonObject(with: Data(request.body))) as? [String: Any] ?? [:]
            if let name = parameters["name"] { body["name"] = name }
            let text = String(decoding: request.body, as: UTF8.self)
            let requestPath = String(request.path)
            // Encoded under the lock: the answer leaves it as bytes.
            let (status, bytes) = state.withLock { state -> (Int, [UInt8]) in
                state.calls.append(
                    Call(method: method, path: requestPath, body: text, roomsCount: state.counters["rooms"]?.count))
                let (status, object): (Int, [String: Any]) =
                    switch handle(&state, body) {
                    case .ok(let object): (200, object)
                    case .error(let status, let code, let message):
                        (status, ["code": code, "message": message, "details": [Any]()])
                    }
                let data =
                    (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
                return (status, Array(data))
            }
            var response = HTTPResponse(
                status: HTTPStatus(code: status, reason: status == 200 ? "OK" : "Error"), body: bytes)
            response.headers.replaceOrAdd(name: "Content-Type", value: "application/json")
            responder.respond(response)
        }
    }

    private static func counter(_ state: inout State, _ body: [String: Any], update: Bool) -> Answer {
        let name = body["name"] as? String ?? ""
        guard var counter = state.counters[name] else { return .error(404, 5, "counter not found: \(name)") }
        if update {
            func int64(_ key: String) -> Int? {
                if let text = body[key] as? String { return Int(text) }
                return body[key] as? Int
            }
            var capacity = counter.capacity
            var count = counter.count
            if let value = int64("capacity") { capacity = value }
            if let value = int64("count") { count = value }
            if let diff = int64("countDiff") { count += diff }
            guard capacity >= 0, (0...capacity).contains(count) else {
                return .error(400, 11, "count \(count) is out of range [0, \(capacity)]")
            }
            counter = (count, capacity)
            state.counters[name] = counter
        }
        return .ok(["name": name, "count": String(counter.count), "capacity": String(counter.capacity)])
    }

    /// `NAME:addValue` and `NAME:removeValue`.
    private static func listValue(_ state: inout State, _ body: [String: Any]) -> Answer {
        let target = (body["name"] as? String ?? "").split(separator: ":", maxSplits: 1).map(String.init)
        guard target.count == 2, target[1] == "addValue" || target[1] == "removeValue" else {
            return .error(404, 5, "no such method")
        }
        let name = target[0]
        guard let value = body["value"] as? String else { return .error(400, 3, "value is required") }
        guard var list = state.lists[name] else { return .error(404, 5, "List not found: \(name)") }
        if target[1] == "addValue" {
            guard !list.values.contains(value) else {
                return .error(409, 6, "already exists. Value: \(value) already in List: \(name)")
            }
            guard list.values.count < list.capacity else {
                return .error(400, 11, "out of range. No available capacity. List: \(name)")
            }
            list.values.append(value)
        } else {
            guard let index = list.values.firstIndex(of: value) else {
                return .error(404, 5, "not found. Value: \(value) not found in List: \(name)")
            }
            list.values.remove(at: index)
        }
        state.lists[name] = list
        return .ok(["name": name, "capacity": String(list.capacity), "values": list.values])
    }

    /// A port free on 127.0.0.1 now (bound, read, released).
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw FakeSidecarError(description: "socket: \(errno)") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else { throw FakeSidecarError(description: "bind: \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// The fake sidecar could not be set up.
public struct FakeSidecarError: Error, CustomStringConvertible {
    public var description: String
}
