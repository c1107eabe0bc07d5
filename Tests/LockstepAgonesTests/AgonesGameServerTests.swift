import Foundation
import LockstepAgones
import Testing

@Suite struct AgonesGameServerTests {
    static func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    /// The answer of `GET /gameserver` as Agones' REST guide prints it (local SDK server).
    @Test func readsTheDocumentedAnswer() throws {
        let answer = try Self.json(
            """
            {"object_meta":{"name":"local","namespace":"default","uid":"1234","resource_version":"v1","generation":"1",\
            "creation_timestamp":"1533766607","annotations":{"annotation":"true"},"labels":{"islocal":"true"}},\
            "status":{"state":"Ready","address":"127.0.0.1","ports":[{"name":"default","port":7777}]}}
            """)
        let gameServer = try AgonesGameServer(json: answer)
        #expect(
            gameServer
                == AgonesGameServer(
                    name: "local", namespace: "default", labels: ["islocal": "true"], state: "Ready",
                    address: "127.0.0.1",
                    ports: ["default": 7777]))
    }

    @Test func readsLowerCamelCaseAndQuotedPorts() throws {
        let answer = try Self.json(
            """
            {"objectMeta":{"name":"gs-1","labels":{}},"status":{"state":"Allocated","address":"10.0.0.7","ports":[{"name":"default","port":"7070"}]}}
            """)
        let gameServer = try AgonesGameServer(json: answer)
        #expect(gameServer.name == "gs-1" && gameServer.state == "Allocated" && gameServer.ports == ["default": 7070])
    }

    @Test func anAnswerWithoutMetadataIsRefusedNotGuessed() throws {
        #expect(throws: AgonesError.badAnswer("no object_meta")) {
            try AgonesGameServer(json: ["status": [String: Any]()])
        }
    }
}
