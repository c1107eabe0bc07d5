import LockstepTesting
import Testing

/// A peer refused before its HELLO that goes on sending, never reading, as a flood does.
@Suite struct PreHelloFloodTests {
    /// Refused after 4 KiB of pings (the pre-HELLO budget, error 30), the peer floods on. The
    /// server does not wait for its reply to the close frame (`WebSocketConnection.abort`): the
    /// TCP linger discards at most 256 KiB and cuts it off, a few hundred KiB in all. Before, the
    /// server read and parsed its flood for the whole 5 s close timeout (120 MB from one peer,
    /// measured), and took the 8 MiB here long before closing it.
    @Test func aRefusedPeerThatFloodsOnIsCutOffInsteadOfBeingReadForTheCloseTimeout() throws {
        let server = try TestBattleServer()
        defer { server.stop() }
        let clients = try NeverReadingClients(port: server.port, path: "/v1/play", subprotocol: "lockstep.v1", count: 1)
        defer { clients.closeAll() }
        let ping = NeverReadingClients.maskedFrame(.ping, payload: [UInt8](repeating: 0x70, count: 125))
        // A long quiet period: the outcome that counts is the close, whoever is slow on a loaded host.
        let outcome = clients.flood(frame: ping, quotaPerClient: 8 << 20, quietMilliseconds: 10_000)
        #expect(outcome.end == .finished && outcome.closedByServer == 1, "\(outcome)")
        #expect(outcome.bytesSent < 8 << 20)
    }
}
