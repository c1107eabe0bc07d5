/// Buffer sizes and limits for one TCP connection.
public struct TCPConnectionConfiguration: Sendable {
    /// The read buffer's starting size. 1 KiB holds an HTTP upgrade request and dozens of game
    /// messages; the buffer doubles on demand (up to `maxReadBufferSize`) and shrinks back once a
    /// large message is consumed. It was 16 KiB: with thousands of connections that cost ~5 KiB
    /// of resident memory per connection (docs/BENCHMARKS.md).
    public var initialReadBufferSize = 1024
    /// The most the read buffer may grow to; must hold the largest frame the protocol accepts.
    public var maxReadBufferSize = 1024 * 1024 + 64
    /// Queue size above which the connection reports itself not writable (1 MiB).
    public var outboundHighWatermark = 1024 * 1024
    /// Queue size below which it reports writable again (256 KiB).
    public var outboundLowWatermark = 256 * 1024
    /// Queue size no write may exceed: past it the peer is a slow reader (8 MiB).
    public var outboundCap = 8 * 1024 * 1024
    /// Whether the connection stops reading while it is not writable (above the high watermark,
    /// until it drains below the low one): backpressure, so a peer that sends without reading
    /// cannot make this side buffer its answers. Off by default (a client that pipelines both
    /// ways could deadlock against a server doing the same); servers turn it on.
    public var pausesReadingWhenUnwritable = false
    /// After a graceful close, how long to wait for the peer's FIN before closing anyway (2 s).
    public var lingerTimeout: Duration = .seconds(2)
    /// After a graceful close, the most input read and discarded while waiting for the peer's
    /// FIN (256 KiB): a peer that keeps sending is not closing, and is closed at once (a reset)
    /// rather than read for the whole linger timeout.
    public var lingerDiscardLimit = 256 * 1024

    /// The defaults above.
    public init() {}

    /// Checks the combination.
    ///
    /// - Throws: a message naming the first inconsistent setting.
    public func validate() throws(ConfigurationError) {
        guard initialReadBufferSize > 0, maxReadBufferSize >= initialReadBufferSize else {
            throw ConfigurationError("the read buffer limit must be at least its initial size")
        }
        try outboundLimits.validate()
    }

    /// The watermarks and cap, as one value (what an endpoint may change after accept).
    public var outboundLimits: OutboundLimits {
        get {
            OutboundLimits(highWatermark: outboundHighWatermark, lowWatermark: outboundLowWatermark, cap: outboundCap)
        }
        set {
            outboundHighWatermark = newValue.highWatermark
            outboundLowWatermark = newValue.lowWatermark
            outboundCap = newValue.cap
        }
    }
}

/// A configuration that cannot work, with the reason.
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong.
    public var message: String

    /// Creates an error with `message`.
    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
