import LockstepEventLoop
import LockstepHTTP

/// Sends the response to one HTTP request: now, or later from any thread.
///
/// Route handlers that answer at once call `respond` before returning; handlers that must ask
/// another loop (an admin API creating a room elsewhere) keep the responder and call `respond`
/// from wherever the answer is ready: it hops to the connection's loop itself.
public final class HTTPResponder: Sendable {
    private let eventLoop: EventLoop
    private let deliver: @Sendable (HTTPResponse) -> Void
    /// The peer's address, `host:port` (`[v6]:port` for IPv6): for per-address limits and logs.
    public let remoteAddress: String

    init(eventLoop: EventLoop, remoteAddress: String = "", deliver: @escaping @Sendable (HTTPResponse) -> Void) {
        self.eventLoop = eventLoop
        self.remoteAddress = remoteAddress
        self.deliver = deliver
    }

    /// Sends `response`; only the first call counts.
    public func respond(_ response: HTTPResponse) {
        if eventLoop.inEventLoop {
            deliver(response)
        } else {
            let deliver = self.deliver
            eventLoop.execute { deliver(response) }
        }
    }
}

/// Handles one HTTP route: `request`, the `:name` path parameters, and the responder to answer with.
public typealias HTTPRouteHandler = @Sendable (HTTPRequest, [String: String], HTTPResponder) -> Void
