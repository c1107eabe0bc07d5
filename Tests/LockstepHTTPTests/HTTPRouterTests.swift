import Testing
@testable import LockstepHTTP

@Suite struct HTTPRouterTests {
    private var router: HTTPRouter<String> {
        var router = HTTPRouter<String>()
        router.add("GET", "/healthz", "health")
        router.add("POST", "/v1/rooms", "create")
        router.add("GET", "/v1/rooms/:id", "read")
        router.add("DELETE", "/v1/rooms/:id", "end")
        return router
    }

    @Test func exactPathAndMethodFindTheHandler() {
        guard case .found(let handler, _) = router.match(method: "GET", path: "/healthz") else {
            Issue.record("not found"); return
        }
        #expect(handler == "health")
    }

    @Test func parameterSegmentsAreBound() {
        guard case .found(let handler, let parameters) = router.match(method: "DELETE", path: "/v1/rooms/r42") else {
            Issue.record("not found"); return
        }
        #expect(handler == "end")
        #expect(parameters["id"] == "r42")
    }

    @Test func unknownPathIsNotFoundAndWrongMethodListsAllowed() {
        guard case .notFound = router.match(method: "GET", path: "/nope") else { Issue.record("matched"); return }
        guard case .methodNotAllowed(let allowed) = router.match(method: "PUT", path: "/v1/rooms/x") else {
            Issue.record("no 405"); return
        }
        #expect(allowed == ["GET", "DELETE"])
    }
}
