import Foundation
import LockstepClient

/// The Agones SDK sidecar's REST API (sdks/swagger/sdk.swagger.json and beta.swagger.json in
/// googleforgames/agones), over a blocking HTTP/1.1 client on 127.0.0.1.
///
/// Every call blocks its caller for up to `timeoutSeconds`: call it from a thread or queue of
/// its own (`AgonesAgent` does), never from an event loop.
public struct AgonesSDK: Sendable {
    private let http: AdminClient

    /// A client of the sidecar on `127.0.0.1:port`.
    public init(port: Int, timeoutSeconds: Int = 5) {
        var http = AdminClient(host: "127.0.0.1", port: port, adminKey: "")
        http.timeoutSeconds = timeoutSeconds
        self.http = http
    }

    /// `POST /ready`: the server is listening and can take players.
    public func ready() throws(AgonesError) { _ = try call("POST", "/ready", [:]) }

    /// `POST /health`: the server is alive (send it every few seconds).
    public func health() throws(AgonesError) { _ = try call("POST", "/health", [:]) }

    /// `POST /shutdown`: the server is done; Agones deletes the GameServer.
    public func shutdown() throws(AgonesError) { _ = try call("POST", "/shutdown", [:]) }

    /// `PUT /metadata/label` with `{"key", "value"}`; Agones stores it as `agones.dev/sdk-KEY`.
    public func setLabel(_ key: String, _ value: String) throws(AgonesError) {
        _ = try call("PUT", "/metadata/label", ["key": key, "value": value])
    }

    /// `GET /gameserver`.
    public func gameServer() throws(AgonesError) -> AgonesGameServer {
        try AgonesGameServer(json: try call("GET", "/gameserver", nil))
    }

    /// `PATCH /v1beta1/counters/NAME` with a `CounterUpdateRequest` (int64 values as JSON
    /// strings, as the gateway writes them): sets the count and the capacity given.
    ///
    /// - Returns: the Counter's count and capacity after the update.
    @discardableResult
    public func updateCounter(_ name: String, count: Int?, capacity: Int?) throws(AgonesError) -> (
        count: Int, capacity: Int
    ) {
        var body: [String: Any] = [:]
        if let count { body["count"] = String(count) }
        if let capacity { body["capacity"] = String(capacity) }
        let answer = try call("PATCH", "/v1beta1/counters/" + name, body)
        guard let count = Self.int64(answer["count"] ?? "0"), let capacity = Self.int64(answer["capacity"] ?? "0")
        else {
            throw .badAnswer("a Counter without a count or capacity")
        }
        return (count, capacity)
    }

    /// `POST /v1beta1/lists/NAME:addValue` with `{"value"}`. Throws 409 (ALREADY_EXISTS) when
    /// the value is in the List, 400 (OUT_OF_RANGE) when the List is full, 404 when no such List.
    public func addListValue(_ list: String, _ value: String) throws(AgonesError) {
        _ = try call("POST", "/v1beta1/lists/\(list):addValue", ["value": value])
    }

    /// `POST /v1beta1/lists/NAME:removeValue` with `{"value"}`. Throws 404 when the value or
    /// the List is missing.
    public func removeListValue(_ list: String, _ value: String) throws(AgonesError) {
        _ = try call("POST", "/v1beta1/lists/\(list):removeValue", ["value": value])
    }

    /// Sends one request with a JSON body (none for `nil`) and returns the answer's JSON object.
    private func call(_ method: String, _ path: String, _ body: [String: Any]?) throws(AgonesError) -> [String: Any] {
        let response: AdminClient.Response
        do {
            let bytes =
                try body.map { Array(try JSONSerialization.data(withJSONObject: $0, options: [.sortedKeys])) } ?? []
            response = try http.request(
                method, path, body: bytes, headers: body == nil ? [] : [("Content-Type", "application/json")])
        } catch {
            throw .unreachable("\(method) \(path): \(error)")
        }
        let json = response.json
        guard response.status == 200 else {
            let message = json?["message"] as? String ?? String(decoding: response.body.prefix(200), as: UTF8.self)
            throw .status(response.status, message: message)
        }
        guard let json else { throw .badAnswer("\(method) \(path): not a JSON object") }
        return json
    }

    /// An int64 as the gateway writes it (a string) or as a number.
    static func int64(_ value: Any) -> Int? {
        if let text = value as? String { return Int(text) }
        return value as? Int
    }
}
