import Testing
@testable import LockstepServer

@Suite struct AddressLimiterTests {
    @Test func admitsUpToTheLimitPerHostAndReleases() {
        let limiter = AddressLimiter(limit: 2)
        #expect(limiter.admit("10.0.0.1:5000") && limiter.admit("10.0.0.1:5001"))
        #expect(!limiter.admit("10.0.0.1:5002"))
        #expect(limiter.admit("[::1]:5000"))
        limiter.release("10.0.0.1:5000")
        #expect(limiter.admit("10.0.0.1:5003"))
        #expect(AddressLimiter.host(of: "[::1]:80") == "::1")
    }

    @Test func serverRefusesConnectionsOverThePerAddressLimit() throws {
        let server = try startEchoServer { $0.maxConnectionsPerAddress = 2 }
        defer { server.shutdown() }
        let first = try #require(RawSocket(port: server.port))
        let second = try #require(RawSocket(port: server.port))
        #expect(first.upgrade() && second.upgrade())
        let third = try #require(RawSocket(port: server.port))
        #expect(third.readToEnd().isEmpty)  // closed at accept, nothing sent
        #expect(server.metrics?.handshakeFailures["address_limit"]?.load == 1)
    }
}
