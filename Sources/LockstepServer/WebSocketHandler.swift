import LockstepEventLoop
import LockstepHTTP
import LockstepWebSocket

/// Receives the events of WebSocket connections on one endpoint, on each connection's loop thread.
///
/// One handler may serve many connections (the battle server's rooms do); the callbacks of a
/// given connection always arrive on that connection's current loop, one at a time.
public protocol WebSocketHandler: AnyObject {
    /// The handshake completed; the connection can send.
    func webSocketDidOpen(_ connection: WebSocketConnection)
    /// A whole text or binary message arrived. `payload` is valid only during the call.
    func webSocket(_ connection: WebSocketConnection, didReceive kind: WebSocketMessageKind, payload: UnsafeRawBufferPointer)
    /// The connection is gone, called once at the first of: the server started closing it (`code`
    /// is the code sent: an error, the idle timeout, shutdown), the peer's close frame (its code), a
    /// protocol failure (its code), a slow reader (1008), the TCP connection dropping without a
    /// close frame (1006). No callback follows it, even while the close handshake completes.
    func webSocketDidClose(_ connection: WebSocketConnection, code: WebSocketCloseCode, reason: String)
    /// The connection's outbound queue crossed a watermark (`false`: stop sending bulk data).
    func webSocket(_ connection: WebSocketConnection, writabilityChanged isWritable: Bool)
    /// A ping or pong arrived (`opcode` says which), before the connection answers a ping: a
    /// handler that limits what a peer may send counts it here, and may close the connection
    /// (then no pong is sent).
    func webSocket(_ connection: WebSocketConnection, didReceiveControl opcode: WebSocketOpcode, payloadLength: Int)
}

extension WebSocketHandler {
    /// Ignores writability changes by default.
    public func webSocket(_ connection: WebSocketConnection, writabilityChanged isWritable: Bool) {}
    /// Ignores control frames by default (pings are answered all the same).
    public func webSocket(
        _ connection: WebSocketConnection, didReceiveControl opcode: WebSocketOpcode, payloadLength: Int
    ) {}
}

/// What an endpoint decides about an upgrade request.
public enum WebSocketUpgradeDecision {
    /// Upgrade and route the connection's events to this handler.
    case accept(WebSocketHandler)
    /// Refuse with this HTTP response (for example 401 for a bad token).
    case reject(HTTPResponse)
}

/// Decides on an upgrade request (on the connection's loop thread) once the handshake is valid.
public typealias WebSocketUpgradeHandler = @Sendable (HTTPRequest, UpgradeContext) -> WebSocketUpgradeDecision

/// What an upgrade decision can see besides the request.
public struct UpgradeContext {
    /// The loop the connection is on.
    public var eventLoop: LockstepEventLoop.EventLoop
    /// The peer's `host:port`.
    public var remoteAddress: String
    /// The subprotocol negotiated, if any.
    public var subprotocol: String?
}
