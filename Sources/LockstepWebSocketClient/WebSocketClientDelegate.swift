import LockstepWebSocket

/// Receives a `WebSocketClient`'s events on its loop thread.
public protocol WebSocketClientDelegate: AnyObject {
    /// The opening handshake completed.
    func webSocketClientDidConnect(_ client: WebSocketClient)
    /// A whole message arrived; `payload` is valid only during the call.
    func webSocketClient(_ client: WebSocketClient, didReceive kind: WebSocketMessageKind, payload: UnsafeRawBufferPointer)
    /// The connection ended (`code` 1006 when no close frame was exchanged, or the connect or handshake failed).
    func webSocketClientDidClose(_ client: WebSocketClient, code: WebSocketCloseCode, reason: String)
}
