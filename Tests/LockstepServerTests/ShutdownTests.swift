import Dispatch
import LockstepEventLoop
import LockstepServer
import LockstepWebSocket
import Synchronization
import Testing

@Suite struct ShutdownTests {
    /// `shutdown()` sleeps until the last connection has closed, not until the grace period is
    /// over: with a 60 s grace period and clients that answer the 1001 close, it returns as soon
    /// as they have (and with nothing left open).
    @Test func shutdownReturnsWhenTheLastConnectionClosesNotAtTheGraceDeadline() throws {
        let server = try startEchoServer { $0.shutdownGracePeriod = .seconds(60) }
        var sockets: [RawSocket] = []
        for _ in 0..<4 {
            let socket = try #require(RawSocket(port: server.port))
            #expect(socket.upgrade())
            sockets.append(socket)
        }
        let returned = Atomic<Bool>(false)
        let done = ConditionSignal()
        let started = MonotonicInstant.now()
        DispatchQueue.global().async {
            server.shutdown()
            returned.store(true, ordering: .releasing)
            done.signal()
        }
        for socket in sockets {
            #expect(socket.readCloseCode() == 1001)
            socket.sendFrame(opcode: .connectionClose, payload: [0x03, 0xE9])
        }
        #expect(done.wait(until: started + .seconds(30)) { returned.load(ordering: .acquiring) })
        #expect(MonotonicInstant.now().nanoseconds(since: started) < 30_000_000_000)
        #expect(server.metrics?.connectionsOpen == 0)
    }

    /// A peer that never answers the close is waited for up to the grace period, then the loops
    /// stop and close it anyway.
    @Test func shutdownGivesUpOnASilentPeerAtTheGraceDeadline() throws {
        let server = try startEchoServer { $0.shutdownGracePeriod = .milliseconds(300) }
        let silent = try #require(RawSocket(port: server.port))
        #expect(silent.upgrade())
        let started = MonotonicInstant.now()
        server.shutdown()
        #expect(MonotonicInstant.now().nanoseconds(since: started) >= 300_000_000)
        #expect(silent.readCloseCode() == 1001)
    }
}
