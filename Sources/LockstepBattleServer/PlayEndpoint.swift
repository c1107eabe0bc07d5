import LockstepCore
import LockstepEventLoop
import LockstepHTTP
import LockstepProtocol
import LockstepRoom
import LockstepServer
import LockstepWebSocket
import Synchronization

/// A connection handed to another loop's task (it is only used there). `@unchecked` because a
/// `WebSocketConnection` is loop-confined: the task touches it only through the room driver,
/// whose entry points check they run on the room's loop.
struct UncheckedConnection: @unchecked Sendable {
    let connection: WebSocketConnection
}

/// The game's WebSocket endpoint (`/v1/play`): reads the HELLO, checks the token, moves the
/// connection to its room's loop and seats it; then forwards every message to the room.
///
/// One instance serves every connection; its callbacks run on each connection's loop (each
/// checks so in debug builds). It holds only immutable, `Sendable` settings and the thread-safe
/// directory, so it is `Sendable`; per-connection state lives in the connection's `PlaySession`.
final class PlayEndpoint: WebSocketHandler, Sendable {
    private let directory: RoomDirectory
    private let signer: TokenSigner
    private let configuration: BattleConfiguration
    private let logger: Logger
    private let cluster: ClusterLink

    init(directory: RoomDirectory, signer: TokenSigner, configuration: BattleConfiguration, logger: Logger, cluster: ClusterLink) {
        self.cluster = cluster
        self.directory = directory
        self.signer = signer
        self.configuration = configuration
        self.logger = logger
    }

    /// Admits every valid upgrade: connection limits (total and per address) are enforced at
    /// accept by the network server; the token is checked when the HELLO arrives.
    func upgrade(_ request: HTTPRequest, _ context: UpgradeContext) -> WebSocketUpgradeDecision {
        .accept(self)
    }

    func webSocketDidOpen(_ connection: WebSocketConnection) {
        connection.eventLoop.assertInEventLoop()
        let session = PlaySession(burst: configuration.messageBurst, now: connection.eventLoop.now.nanoseconds)
        connection.userData = session
        // Until the HELLO, a frame larger than the whole pre-HELLO budget is refused (1009) from its header.
        connection.incomingMessageLimit = configuration.preHelloByteBudget
        let deadline = connection.eventLoop.now.nanoseconds &+ configuration.helloTimeoutNanos
        // Captured strongly (not weakly: see `WebSocketConnection.startHeartbeat`); cancelled at
        // HELLO and at close.
        session.helloTimer = connection.eventLoop.scheduleTimer(at: MonotonicInstant(nanoseconds: deadline)) { _ in
            guard let session = Self.session(of: connection), case .awaitingHello = session.stage else { return }
            self.refuse(connection, session, ProtocolError(.notJoined, "no HELLO within the deadline"))
        }
    }

    /// The connection's session: an exact type check and a downcast, which cost less than the
    /// runtime's general `as?` (a conformance lookup) on every message.
    @inline(__always)
    private static func session(of connection: WebSocketConnection) -> PlaySession? {
        guard let object = connection.userData, ObjectIdentifier(type(of: object)) == ObjectIdentifier(PlaySession.self)
        else { return nil }
        return unsafeDowncast(object, to: PlaySession.self)
    }

    func webSocket(_ connection: WebSocketConnection, didReceive kind: WebSocketMessageKind, payload: UnsafeRawBufferPointer) {
        connection.eventLoop.assertInEventLoop()
        guard let session = Self.session(of: connection), admit(connection, session, payloadLength: payload.count)
        else { return }
        guard kind == .binary else {
            refuse(connection, session, ProtocolError(.malformedMessage, "game messages are binary"))
            return
        }
        let message: ClientMessage
        do {
            message = try ClientMessage.decode(payload)
        } catch {
            logger.info("bad_message", ["conn": connection.id, "error": error])
            refuse(connection, session, error)
            return
        }
        switch session.stage {
        case .awaitingHello:
            guard case .hello(let hello) = message else {
                refuse(connection, session, ProtocolError(.notJoined))
                return
            }
            seat(connection, session, hello)
        case .seated(let reference):
            reference.driver.receive(message, from: connection)
        case .refused:
            break
        }
    }

    /// Pings and pongs count against the rate limit and the pre-HELLO budget like messages.
    func webSocket(_ connection: WebSocketConnection, didReceiveControl opcode: WebSocketOpcode, payloadLength: Int) {
        connection.eventLoop.assertInEventLoop()
        guard let session = Self.session(of: connection) else { return }
        _ = admit(connection, session, payloadLength: payloadLength)
    }

    /// Charges one message of `payloadLength` bytes to the connection's rate limit (and, before
    /// the HELLO, to its byte budget); refuses the connection and returns `false` when over.
    private func admit(_ connection: WebSocketConnection, _ session: PlaySession, payloadLength: Int) -> Bool {
        if case .refused = session.stage { return false }
        let now = connection.eventLoop.now.nanoseconds
        let perSecond = configuration.messagesPerSecond
        guard session.admit(now: now, perSecond: perSecond, burst: configuration.messageBurst) else {
            rateLimited(connection, session, "over \(perSecond) messages per second", logReason: "message rate")
            return false
        }
        guard session.spendBeforeHello(payloadLength, budget: configuration.preHelloByteBudget) else {
            rateLimited(
                connection, session, "over \(configuration.preHelloByteBudget) bytes before HELLO",
                logReason: "pre-HELLO budget")
            return false
        }
        return true
    }

    /// Counts, logs and refuses a connection over its rate or its pre-HELLO budget (error 30).
    private func rateLimited(
        _ connection: WebSocketConnection, _ session: PlaySession, _ text: String, logReason: String
    ) {
        directory.metrics.rateLimited.add(1, ordering: .relaxed)
        logger.warning("rate_limited", ["conn": connection.id, "addr": connection.remoteAddress, "reason": logReason])
        // A flood before the HELLO is not read for the close timeout: the close frame goes out
        // and the connection ends without waiting for a reply it will not send.
        let beforeHello = if case .awaitingHello = session.stage { true } else { false }
        refuse(connection, session, ProtocolError(.rateLimited, text), waitForReply: !beforeHello)
    }

    private func seat(_ connection: WebSocketConnection, _ session: PlaySession, _ hello: Hello) {
        if let timer = session.helloTimer { connection.eventLoop.cancelTimer(timer) }
        session.helloTimer = nil
        guard hello.version == ProtocolVersion.current else {
            refuse(connection, session, ProtocolError(.unsupportedVersion, "this server speaks version \(ProtocolVersion.current)"))
            return
        }
        let token: JoinToken
        do {
            token = try signer.verify(hello.token, now: TokenSigner.unixNow())
        } catch {
            authFailure(connection, session, error.protocolError)
            return
        }
        if let wanted = connection.request.queryValue("room"), wanted != token.roomID {
            authFailure(connection, session, ProtocolError(.wrongRoom, "the token is for room \(token.roomID), not \(wanted)"))
            return
        }
        guard let entry = directory.entry(token.roomID) else {
            if let cluster = cluster.current {
                redirect(connection, session, roomID: token.roomID, cluster: cluster)
            } else {
                authFailure(connection, session, ProtocolError(.roomNotFound, "no room \(token.roomID)"))
            }
            return
        }
        // Read under the directory's lock together: a room's driver is gone once it ended.
        guard entry.endedReason == nil, let reference = entry.driver else {
            refuse(connection, session, ProtocolError(.roomEnded))
            return
        }
        let role: JoinRole
        switch token.role {
        case .player(let slot): role = .player(slot)
        case .spectator: role = .spectator
        }
        session.stage = .seated(reference)
        connection.incomingMessageLimit = .max  // back to the server's limits
        connection.move(to: entry.loop) { moved in
            reference.driver.join(moved, role: role, lastTick: hello.lastTick)
        }
    }

    /// A token for a room this node does not own: asks the cluster where it is, then refuses with
    /// error 16 (wrong node) naming the owner's play URL, or 13 (room not found).
    private func redirect(_ connection: WebSocketConnection, _ session: PlaySession, roomID: String, cluster: any ClusterHooks) {
        session.stage = .refused  // nothing more is read from this connection
        let waiting = UncheckedConnection(connection: connection)
        let loop = connection.eventLoop
        let sessionID = ObjectIdentifier(session)
        cluster.locateRoom(roomID) { [self] location in
            loop.execute { [self] in
                let connection = waiting.connection
                // Closed meanwhile: nothing to answer.
                guard let session = Self.session(of: connection), ObjectIdentifier(session) == sessionID else { return }
                session.stage = .awaitingHello  // so `refuse` sends the error
                switch location {
                case .elsewhere(let url):
                    logger.info("wrong_node", ["conn": connection.id, "room": roomID, "owner": url])
                    refuse(connection, session, ProtocolError(.wrongNode, url))
                case .notFound:
                    authFailure(connection, session, ProtocolError(.roomNotFound, "no room \(roomID) in the cluster"))
                case .unknown(let why):
                    logger.warning("room_locate_failed", ["conn": connection.id, "room": roomID, "error": why])
                    refuse(connection, session, ProtocolError(.roomNotFound, "room \(roomID) is not on this node and the cluster directory is unreachable"))
                }
            }
        }
    }

    private func authFailure(_ connection: WebSocketConnection, _ session: PlaySession, _ error: ProtocolError) {
        directory.metrics.authFailures.add(1, ordering: .relaxed)
        logger.warning("auth_failed", ["conn": connection.id, "addr": connection.remoteAddress, "code": error.code.rawValue, "reason": error.description])
        refuse(connection, session, error)
    }

    /// Sends the error and closes with its close code, waiting for the peer's close frame unless
    /// `waitForReply` is `false` (`WebSocketConnection.abort`). A seated connection stays seated:
    /// its close reaches the room through `webSocketDidClose`, as every other way a connection goes does.
    private func refuse(
        _ connection: WebSocketConnection, _ session: PlaySession, _ error: ProtocolError, waitForReply: Bool = true
    ) {
        if case .awaitingHello = session.stage { session.stage = .refused }
        var writer = WireWriter()
        ServerMessageEncoder.error(error, into: &writer)
        writer.bytes.withUnsafeBytes { connection.send(.binary, payload: $0) }
        let code = WebSocketCloseCode(rawValue: error.code.isFatal ? error.code.closeCode : 1008)
        if waitForReply {
            connection.close(code: code, reason: error.code.description)
        } else {
            connection.abort(code: code, reason: error.code.description)
        }
    }

    /// A seated connection's queue drained: its room sends it more catch-up frames, if it owes any.
    func webSocket(_ connection: WebSocketConnection, writabilityChanged isWritable: Bool) {
        connection.eventLoop.assertInEventLoop()
        guard isWritable, let session = Self.session(of: connection), case .seated(let reference) = session.stage,
            reference.driver.loop.inEventLoop
        else { return }
        reference.driver.connectionWritable(connection)
    }

    func webSocketDidClose(_ connection: WebSocketConnection, code: WebSocketCloseCode, reason: String) {
        connection.eventLoop.assertInEventLoop()
        guard let session = Self.session(of: connection) else { return }
        connection.userData = nil
        if let timer = session.helloTimer { connection.eventLoop.cancelTimer(timer) }
        guard case .seated(let reference) = session.stage else { return }
        // A connection can close before its move to the room's loop completes: the room is only
        // ever touched on its own loop.
        if reference.driver.loop.inEventLoop {
            reference.driver.connectionClosed(connection)
        } else {
            let closed = UncheckedConnection(connection: connection)
            reference.driver.loop.execute { reference.driver.connectionClosed(closed.connection) }
        }
    }
}
