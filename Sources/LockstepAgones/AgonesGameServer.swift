import Foundation

/// The part of the sidecar's `GET /gameserver` answer the server uses: who it is, its labels,
/// and where players reach it.
public struct AgonesGameServer: Sendable, Equatable {
    public var name: String
    public var namespace: String
    public var labels: [String: String]
    /// `status.state`: `Scheduled`, `RequestReady`, `Ready`, `Allocated`, `Shutdown`, …
    public var state: String
    /// `status.address`: the node's address players connect to.
    public var address: String
    /// `status.ports`: name → host port.
    public var ports: [String: Int]

    public init(
        name: String, namespace: String, labels: [String: String], state: String, address: String, ports: [String: Int]
    ) {
        self.name = name
        self.namespace = namespace
        self.labels = labels
        self.state = state
        self.address = address
        self.ports = ports
    }

    /// Reads the SDK's `GameServer` JSON (sdk.swagger.json's `sdkGameServer`: `object_meta`,
    /// `status`). The gateway may spell fields in lowerCamelCase (`objectMeta`); both are read.
    public init(json: [String: Any]) throws(AgonesError) {
        func object(_ parent: [String: Any], _ names: String...) -> [String: Any]? {
            names.lazy.compactMap { parent[$0] as? [String: Any] }.first
        }
        guard let meta = object(json, "object_meta", "objectMeta") else { throw .badAnswer("no object_meta") }
        let status = object(json, "status") ?? [:]
        name = meta["name"] as? String ?? ""
        namespace = meta["namespace"] as? String ?? ""
        labels = meta["labels"] as? [String: String] ?? [:]
        state = status["state"] as? String ?? ""
        address = status["address"] as? String ?? ""
        var ports: [String: Int] = [:]
        for port in status["ports"] as? [[String: Any]] ?? [] {
            guard let name = port["name"] as? String else { continue }
            // int32 in JSON: a number (the gateway may also quote it).
            if let number = port["port"] as? Int {
                ports[name] = number
            } else if let text = port["port"] as? String, let number = Int(text) {
                ports[name] = number
            }
        }
        self.ports = ports
    }
}
