import Foundation
import LockstepBattleServer
import LockstepServer
import LockstepTesting
import Testing

/// Who may use the page endpoints: the admin key always; anyone only when public access is on,
/// and then rate-limited per address and capped.
@Suite struct PublicAccessTests {
    static let pageEndpoints = [("POST", "/v1/quickmatch"), ("GET", "/v1/public/rooms"), ("GET", "/v1/replays"), ("GET", "/v1/replays/x")]

    @Test func withPublicAccessOffEveryPageEndpointIs403WithoutTheKeyAndWorksWithIt() throws {
        let server = try WebServerFixture.server { $0.publicAccess = .off }
        defer { server.stop() }
        for (method, path) in Self.pageEndpoints {
            let answer = try RawHTTP.send(port: server.port, method, path)
            #expect(answer.status == 403, "\(path)")
            #expect((answer.json?["error"] as? String)?.contains("--public-quickmatch") == true, "\(path)")
            let wrong = try RawHTTP.send(port: server.port, method, path, headers: [("Authorization", "Bearer nope")])
            #expect(wrong.status == 401, "\(path)")
        }
        let admin = WebServerFixture.admin(server)
        #expect(try RawHTTP.send(port: server.port, "POST", "/v1/quickmatch", headers: admin).status == 201)
        #expect(try RawHTTP.send(port: server.port, "GET", "/v1/public/rooms", headers: admin).status == 200)
        #expect(try RawHTTP.send(port: server.port, "GET", "/v1/replays", headers: admin).status == 200)
        #expect(try RawHTTP.send(port: server.port, "GET", "/v1/replays/x", headers: admin).status == 404)
    }

    @Test func autoIsOnOnlyForLoopbackAddresses() {
        for host in ["127.0.0.1", "127.0.1.1", "::1", "[::1]", "localhost"] { #expect(PublicAccess.auto.allows(host: host), "\(host)") }
        for host in ["0.0.0.0", "::", "10.0.0.5", "192.168.1.2", "example.com"] { #expect(!PublicAccess.auto.allows(host: host), "\(host)") }
        #expect(PublicAccess.on.allows(host: "0.0.0.0") && !PublicAccess.off.allows(host: "127.0.0.1"))
    }

    @Test func anAddressOverItsQuickMatchRateGets429AndTheAdminKeyDoesNot() throws {
        let server = try WebServerFixture.server {
            $0.publicQuickMatchBurst = 2
            $0.publicQuickMatchesPerMinute = 1
        }
        defer { server.stop() }
        #expect(try RawHTTP.send(port: server.port, "POST", "/v1/quickmatch").status == 201)
        #expect(try RawHTTP.send(port: server.port, "POST", "/v1/quickmatch").status == 201)
        let refused = try RawHTTP.send(port: server.port, "POST", "/v1/quickmatch")
        #expect(refused.status == 429 && refused.header("Retry-After") == "60")
        #expect((refused.json?["error"] as? String)?.hasPrefix("too many requests: ") == true)
        #expect(try RawHTTP.send(port: server.port, "POST", "/v1/quickmatch", headers: WebServerFixture.admin(server)).status == 201)
    }

    @Test func publicRoomsAreCappedAndAnEndedOneFreesItsPlace() throws {
        let server = try WebServerFixture.server { $0.publicMaxRooms = 1 }
        defer { server.stop() }
        let first = try RawHTTP.send(port: server.port, "POST", "/v1/quickmatch")
        #expect(first.status == 201)
        let full = try RawHTTP.send(port: server.port, "POST", "/v1/quickmatch")
        #expect(full.status == 429 && (full.json?["error"] as? String)?.contains("1 public rooms") == true)
        // Rooms made with the admin key are not public ones.
        #expect(try RawHTTP.send(port: server.port, "POST", "/v1/quickmatch", headers: WebServerFixture.admin(server)).status == 201)
        let roomID = try #require(first.json?["roomID"] as? String)
        let ended = try RawHTTP.send(port: server.port, "POST", "/v1/rooms/\(roomID)/end", headers: WebServerFixture.admin(server))
        #expect(ended.status == 200)
        #expect(try Eventually.wait { try RawHTTP.send(port: server.port, "POST", "/v1/quickmatch").status == 201 })
    }

    @Test func theRateLimiterRefillsWithTimeAndForgetsTheLeastRecentAddresses() {
        let limiter = AddressRateLimiter(perMinute: 2, burst: 2, maxAddresses: 4)
        #expect(limiter.admit("10.0.0.1:5000", now: 0) && limiter.admit("10.0.0.1:5001", now: 0))
        #expect(!limiter.admit("10.0.0.1:5002", now: 1_000_000_000))
        #expect(limiter.admit("10.0.0.2:1", now: 1_000_000_000))
        // Two a minute: one more after 30 s, not before.
        #expect(!limiter.admit("10.0.0.1:1", now: 29_000_000_000))
        #expect(limiter.admit("10.0.0.1:1", now: 30_000_000_000))
        for index in 3...10 { #expect(limiter.admit("10.0.0.\(index):1", now: 31_000_000_000)) }
    }
}
