/// Receives a connection's events, on the connection's loop thread.
public protocol TCPConnectionDelegate: AnyObject {
    /// Bytes arrived. `bytes` holds everything received and not yet consumed; return how many
    /// bytes from the front were used (the rest is kept and offered again with the next read).
    func connection(_ connection: TCPConnection, didRead bytes: UnsafeMutableRawBufferPointer) -> Int
    /// The outbound queue crossed the high watermark (`false`) or fell below the low one (`true`).
    func connection(_ connection: TCPConnection, writabilityChanged isWritable: Bool)
    /// A write would take the queue past its cap: the peer is not reading. The write was dropped;
    /// the delegate should close the connection (the stack's servers do, with a log line).
    func connectionOutboundOverflow(_ connection: TCPConnection)
    /// The connection is closed and its descriptor released; `error` is set when a system call failed.
    func connectionDidClose(_ connection: TCPConnection, error: SystemError?)
    /// The connection is about to be closed to bring the process under its outbound budget.
    func connectionOutboundBudgetExceeded(_ connection: TCPConnection)
}

extension TCPConnectionDelegate {
    /// The process holds more outbound bytes than its budget (`OutboundBudget`) and this
    /// connection is among those holding the most: it is closed right after this call. A
    /// delegate logs it and reports the end to its own handler; the default does nothing more.
    public func connectionOutboundBudgetExceeded(_ connection: TCPConnection) {}
}
