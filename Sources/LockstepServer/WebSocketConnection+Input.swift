import LockstepEventLoop
import LockstepWebSocket

extension WebSocketConnection {
    /// Decodes every complete frame in `bytes`, unmasking in place, and acts on each.
    public func connection(_ connection: TCPConnection, didRead bytes: UnsafeMutableRawBufferPointer) -> Int {
        lastHeard = eventLoop.now
        let shard = context.shard(eventLoop)
        var offset = 0
        // Stop when the connection closes or starts moving: the rest is processed on the new loop.
        // (`isMoving` is set on this thread by the move request; `eventLoop` changes on the other.)
        reading: while offset < bytes.count, tcp.isOpen, !tcp.isMoving, !finished {
            switch reader.readFrame(bytes, offset: &offset) {
            case .needMoreBytes(let frameLength):
                if let frameLength { tcp.reserveReadCapacity(frameLength) }
                break reading
            case .action(let action, let payload):
                shard.framesIn.addAsSoleWriter()
                act(on: action, payload: payload)
            }
        }
        return offset
    }

    private func act(on action: WebSocketSession.Action, payload: UnsafeRawBufferPointer) {
        switch action {
        case .none:
            return
        case .pongReceived:
            handler?.webSocket(self, didReceiveControl: .pong, payloadLength: payload.count)
        case .message(let kind, .frame):
            context.shard(eventLoop).messagesIn.addAsSoleWriter()
            handler?.webSocket(self, didReceive: kind, payload: payload)
        case .message(let kind, .assembled):
            context.shard(eventLoop).messagesIn.addAsSoleWriter()
            // Taken out of the session for the call, so the handler may close or send freely.
            let message = reader.session.takeAssembledMessage()
            message.withUnsafeBytes { handler?.webSocket(self, didReceive: kind, payload: $0) }
            reader.session.returnBuffer(message)
        case .sendPong:
            // The handler may count the ping (a rate limit) and close: then no pong.
            handler?.webSocket(self, didReceiveControl: .ping, payloadLength: payload.count)
            if isOpen { sendFrame(opcode: .pong, payload: payload) }
        case .replyToClose(let code, let reply):
            sendClose(reply)
            finish(code: code, reason: "closed by peer")
            tcp.closeAfterFlush()
        case .closeHandshakeComplete(let code):
            finish(code: code, reason: "close handshake complete")
            tcp.closeAfterFlush()
        case .failConnection(let error):
            fail(error)
        }
    }

    private func fail(_ error: WebSocketProtocolError) {
        context.logger.info("websocket_protocol_error", [
            "conn": id, "addr": remoteAddress, "code": error.closeCode, "reason": error.reason,
        ])
        sendClose(WebSocketFrameEncoder.closePayload(code: error.closeCode, reason: error.reason))
        finish(code: error.closeCode, reason: error.reason)
        tcp.closeAfterFlush()
    }

    public func connection(_ connection: TCPConnection, writabilityChanged isWritable: Bool) {
        handler?.webSocket(self, writabilityChanged: isWritable)
    }

    /// The peer stopped reading: close the socket (a close frame could not reach it), code 1008.
    public func connectionOutboundOverflow(_ connection: TCPConnection) {
        context.logger.warning("slow_reader", [
            "conn": id, "addr": remoteAddress, "queued": tcp.queuedBytes, "code": WebSocketCloseCode.policyViolation,
        ])
        finish(code: .policyViolation, reason: "slow reader")
        tcp.close()
    }

    /// The process is over its outbound budget and this connection holds the most: it is closed
    /// (like a slow reader, code 1008, no frame can reach it); logged as `outbound_budget_exceeded`.
    public func connectionOutboundBudgetExceeded(_ connection: TCPConnection) {
        context.logger.warning("outbound_budget_exceeded", [
            "conn": id, "addr": remoteAddress, "queued": tcp.queuedBytes,
            "budget": context.configuration.outboundBudgetBytes ?? 0, "code": WebSocketCloseCode.policyViolation,
        ])
        finish(code: .policyViolation, reason: "outbound budget exceeded")
    }

    public func connectionDidClose(_ connection: TCPConnection, error: SystemError?) {
        context.connectionClosed(connection)
        finish(code: .abnormalClosure, reason: error.map { String(describing: $0) } ?? "connection closed")
    }
}
