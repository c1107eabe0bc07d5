import LockstepCore
import LockstepSimulation
import LockstepTesting
import Testing

@testable import LockstepClient

/// The socket transport facing a peer that breaks the rules: it reports a close, the client
/// decides, nothing crashes.
@Suite(.serialized) struct SocketTransportBadPeerTests {
    /// Plays against `peer` until the client fails, ends normally, or `until` holds for the events.
    static func run(against peer: ScriptedPeer, attempts: Int = 1, until: ([ClientEvent]) -> Bool = { _ in false })
        -> (LockstepClient<ArenaSimulation>, [ClientEvent])
    {
        var configuration = ClientConfiguration(port: peer.port, token: "t")
        configuration.reconnectPolicy = ReconnectPolicy(baseNanos: 1_000_000, maximumNanos: 2_000_000, maxAttempts: attempts)
        let client = LockstepClient<ArenaSimulation>(configuration: configuration) { players, seed in
            try ArenaSimulation(players: players, seed: seed)
        }
        client.connect()
        var events: [ClientEvent] = []
        _ = eventually(10) {
            events += client.poll()
            return client.failure != nil || until(events) || events.contains { if case .disconnected(_, false) = $0 { true } else { false } }
        }
        client.close()
        return (client, events)
    }

    @Test func aHandshakeAnswerThatIsNotAnUpgradeIsAFailedConnectionAndTheClientGivesUp() throws {
        let peer = try ScriptedPeer { _ in Array("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n".utf8) }
        defer { peer.stop() }
        let (client, events) = Self.run(against: peer)
        #expect(client.failure == .gaveUp(attempts: 1, lastCloseCode: 1006))
        #expect(events.contains(.disconnected(code: 1006, willReconnect: true)))
        #expect(peer.accepted == 2)
    }

    @Test func garbageInsteadOfAnHTTPAnswerIsAFailedConnection() throws {
        let peer = try ScriptedPeer { _ in [0x00, 0xFF, 0x13, 0x37] + Array(repeating: 0x41, count: 9000) }
        defer { peer.stop() }
        let (client, _) = Self.run(against: peer)
        #expect(client.failure == .gaveUp(attempts: 1, lastCloseCode: 1006))
    }

    @Test func aFrameWithAReservedOpcodeClosesWithProtocolError() throws {
        let peer = try ScriptedPeer { key in ScriptedPeer.upgrade(key: key) + [0x83, 0x00] }
        defer { peer.stop() }
        // The handshake succeeded, so the client tries again (a new connection resets the backoff).
        let (client, events) = Self.run(against: peer) { $0.contains(.disconnected(code: 1002, willReconnect: true)) }
        #expect(events.first == .disconnected(code: 1002, willReconnect: true))
        #expect(client.failure == nil)
    }

    @Test func anUndecodableMessageIsIgnoredAndACloseFrameEndsTheConnection() throws {
        // A binary message the protocol cannot decode, then a close 1000: no event for the first,
        // a normal end for the second (no reconnect), and no failure.
        let peer = try ScriptedPeer { key in ScriptedPeer.upgrade(key: key) + [0x82, 0x03, 0xFF, 0x01, 0x02] + [0x88, 0x02, 0x03, 0xE8] }
        defer { peer.stop() }
        let (client, events) = Self.run(against: peer)
        #expect(events == [.disconnected(code: 1000, willReconnect: false)])
        #expect(client.failure == nil)
    }
}

extension SocketTransportBadPeerTests {
    /// A client let go without `close()` closes its transport: the thread ends and frees it.
    @Test func aClientLetGoWithoutCloseClosesItsConnection() throws {
        let peer = try ScriptedPeer { key in ScriptedPeer.upgrade(key: key) }
        defer { peer.stop() }
        weak var transport: SocketTransport?
        do {
            let configuration = ClientConfiguration(port: peer.port, token: "t")
            let socket = SocketTransport(configuration: configuration)
            transport = socket
            let client = LockstepClient<ArenaSimulation>(configuration: configuration, transport: socket) { players, seed in
                try ArenaSimulation(players: players, seed: seed)
            }
            client.connect()
            #expect(eventually(10) {
                client.poll()
                return peer.accepted >= 1
            })
        }
        // The transport's thread ends, and with it the last reference to the transport.
        #expect(eventually(10) { transport == nil })
    }
}
