import LockstepWebSocket

/// Echoes every text and binary message back unchanged: the endpoint the Autobahn suite and the
/// end-to-end tests talk to. Stateless, so one instance serves every loop.
public final class EchoHandler: WebSocketHandler, Sendable {
    /// Creates an echo handler (one can serve every connection).
    public init() {}

    public func webSocketDidOpen(_ connection: WebSocketConnection) {}

    public func webSocket(_ connection: WebSocketConnection, didReceive kind: WebSocketMessageKind, payload: UnsafeRawBufferPointer) {
        connection.send(kind, payload: payload)
    }

    public func webSocketDidClose(_ connection: WebSocketConnection, code: WebSocketCloseCode, reason: String) {}
}
