import LockstepEventLoop
import Testing

@testable import LockstepServer

/// An endpoint's outbound limits replace the server's for its connections only.
@Suite struct EndpointOutboundLimitsTests {
    @Test func anEndpointsCapAppliesToItsConnectionsAndNoOthers() throws {
        var configuration = ServerConfiguration()
        configuration.port = 0
        configuration.loopCount = 1
        let server = try Server(configuration: configuration, logger: Logger(level: .error))
        let echo = EchoHandler()
        server.addWebSocketEndpoint("/echo") { _, _ in .accept(echo) }
        server.addWebSocketEndpoint("/small") { _, _ in .accept(echo) }
        #expect(throws: ConfigurationError.self) {
            try server.setOutboundLimits(
                OutboundLimits(highWatermark: 1, lowWatermark: 2, cap: 3), forEndpoint: "/small")
        }
        #expect(throws: ConfigurationError.self) {
            try server.setOutboundLimits(
                OutboundLimits(highWatermark: 1, lowWatermark: 0, cap: 3), forEndpoint: "/none")
        }
        try server.setOutboundLimits(
            OutboundLimits(highWatermark: 1024, lowWatermark: 256, cap: 16 * 1024), forEndpoint: "/small")
        try server.start()
        defer { server.shutdown() }
        let message = [UInt8](repeating: 5, count: 64 * 1024)
        let normal = try #require(RawSocket(port: server.port))
        #expect(normal.upgrade(path: "/echo"))
        normal.sendFrame(opcode: .binary, payload: message)
        #expect(normal.readFrame()?.payload == message)
        // The echo of 64 KiB passes the 16 KiB cap: a slow reader by that endpoint's measure.
        let small = try #require(RawSocket(port: server.port))
        #expect(small.upgrade(path: "/small"))
        small.sendFrame(opcode: .binary, payload: message)
        #expect(small.readFrame() == nil)
        #expect((server.metrics?.closesByCode[1008]?.load ?? 0) == 1)
    }
}
