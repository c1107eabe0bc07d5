import LockstepCore
import LockstepProtocol
import LockstepSimulation
import Testing

@testable import LockstepClient

/// A cluster's wrong-node error (16) sends the client to the node it names, once.
@Suite struct ClientRedirectTests {
    static func wrongNode(_ url: String) -> [UInt8] {
        var writer = WireWriter()
        ServerMessageEncoder.error(ProtocolError(.wrongNode, url), into: &writer)
        return writer.bytes
    }

    @Test func errorSixteenThenItsCloseRedirectsAndReconnectsAtOnce() {
        let core = LockstepClientCoreTests.makeCore()
        var events: [ClientEvent] = []
        core.start()
        _ = core.takeActions()
        core.handle(.opened, now: 1, events: &events)
        core.handle(.received(Self.wrongNode("ws://10.0.0.7:9001/v1/play?room=r-9")), now: 2, events: &events)
        core.handle(.closed(code: 4016), now: 3, events: &events)
        let actions = core.takeActions()
        let target = PlayURL(host: "10.0.0.7", port: 9001, room: "r-9")
        // The redirect comes before the connect it applies to (after the ping sent when the first opened).
        let redirect = actions.firstIndex(of: .redirect(target))
        let connect = actions.firstIndex { if case .connect = $0 { true } else { false } }
        #expect(redirect.flatMap { first in connect.map { first < $0 } } == true)
        #expect(LockstepClientCoreTests.connects(actions) == ["HELLO tok last=none"])  // no backoff
        #expect(core.redirectedTo == target)
        #expect(core.failure == nil)
        #expect(events.contains(.disconnected(code: 4016, willReconnect: true)))
    }

    @Test func aSecondWrongNodeIsAFailureNotALoop() {
        let core = LockstepClientCoreTests.makeCore()
        var events: [ClientEvent] = []
        core.start()
        for port in [9001, 9002] {
            core.handle(.opened, now: 1, events: &events)
            core.handle(.received(Self.wrongNode("ws://127.0.0.1:\(port)/v1/play?room=r")), now: 2, events: &events)
            core.handle(.closed(code: 4016), now: 3, events: &events)
        }
        #expect(core.redirectedTo?.port == 9001)
        #expect(core.failure == .closed(code: 4016))
        #expect(core.takeActions().filter { if case .redirect = $0 { true } else { false } }.count == 1)
    }

    @Test func aCloseFourThousandSixteenWithoutAUsableURLIsAFailure() {
        let core = LockstepClientCoreTests.makeCore()
        var events: [ClientEvent] = []
        core.start()
        core.handle(.opened, now: 1, events: &events)
        core.handle(.received(Self.wrongNode("somewhere else")), now: 2, events: &events)
        core.handle(.closed(code: 4016), now: 3, events: &events)
        #expect(core.redirectedTo == nil)
        #expect(core.failure == .closed(code: 4016))
    }
}
