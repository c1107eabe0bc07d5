import LockstepCore
import LockstepEventLoop

extension ServerMetrics {
    /// The metrics in the Prometheus text exposition format (version 0.0.4), with the loops'
    /// counters and, when there is one, the outbound budget's.
    public func prometheusText(loops: [EventLoop], budget: OutboundBudget? = nil) -> String {
        var out = ""
        func family(_ name: String, _ type: String, _ help: String) {
            out += Self.header(name, type, help)
        }
        func sample(_ name: String, _ value: UInt64) {
            out += "\(name) \(value)\n"
        }
        func labeled(_ name: String, _ labels: String, _ value: UInt64) {
            out += "\(name){\(labels)} \(value)\n"
        }
        family("lockstep_connections_open", "gauge", "TCP connections open now.")
        sample("lockstep_connections_open", connectionsOpen)
        family("lockstep_connections_total", "counter", "TCP connections accepted.")
        sample("lockstep_connections_total", sum(\.connectionsTotal))
        family("lockstep_connections_refused_total", "counter", "Connections refused at the connection limit.")
        sample("lockstep_connections_refused_total", connectionsRefused.load)
        family("lockstep_websocket_upgrades_total", "counter", "WebSocket handshakes completed.")
        sample("lockstep_websocket_upgrades_total", sum(\.webSocketsOpened))
        family("lockstep_http_requests_total", "counter", "Plain HTTP requests answered.")
        sample("lockstep_http_requests_total", sum(\.httpRequests))
        family("lockstep_bytes_total", "counter", "Bytes read from and queued to sockets.")
        labeled("lockstep_bytes_total", "direction=\"in\"", sum(\.bytesIn))
        labeled("lockstep_bytes_total", "direction=\"out\"", sum(\.bytesOut))
        family("lockstep_websocket_frames_total", "counter", "WebSocket frames received and sent.")
        labeled("lockstep_websocket_frames_total", "direction=\"in\"", sum(\.framesIn))
        labeled("lockstep_websocket_frames_total", "direction=\"out\"", sum(\.framesOut))
        family("lockstep_websocket_messages_received_total", "counter", "WebSocket messages delivered to handlers.")
        sample("lockstep_websocket_messages_received_total", sum(\.messagesIn))
        family("lockstep_websocket_closes_total", "counter", "WebSocket connections ended, by close code.")
        for code in Self.closeCodes {
            labeled("lockstep_websocket_closes_total", "code=\"\(code)\"", closesByCode[code]?.load ?? 0)
        }
        labeled("lockstep_websocket_closes_total", "code=\"other\"", closesOther.load)
        family("lockstep_handshake_failures_total", "counter", "Refused upgrades and HTTP errors, by reason.")
        for reason in Self.handshakeReasons {
            labeled("lockstep_handshake_failures_total", "reason=\"\(reason)\"", handshakeFailures[reason]?.load ?? 0)
        }
        family("lockstep_loop_iterations_total", "counter", "Event loop iterations (epoll_wait returns).")
        for loop in loops {
            labeled("lockstep_loop_iterations_total", "loop=\"\(loop.index)\"", loop.metrics.iterations.load)
        }
        if let budget {
            family("lockstep_outbound_bytes_held", "gauge", "Bytes in connections' outbound queues at the last check.")
            sample("lockstep_outbound_bytes_held", budget.heldBytes)
            family("lockstep_outbound_budget_bytes", "gauge", "The process-wide outbound budget.")
            sample("lockstep_outbound_budget_bytes", UInt64(budget.limitBytes))
            family("lockstep_outbound_budget_closes_total", "counter", "Connections closed to stay under the budget.")
            sample("lockstep_outbound_budget_closes_total", budget.connectionsClosed.load)
        }
        appendTimerLateness(to: &out, loops: loops)
        return out
    }

    private func appendTimerLateness(to out: inout String, loops: [EventLoop]) {
        out += Self.header("lockstep_timer_lateness_seconds", "histogram", "How late loop timers fired after their deadline.")
        let lateness = loops.map { $0.metrics.timerLateness.snapshot() }
        for (loop, histogram) in zip(loops, lateness) {
            out += PrometheusHistogram.samples(
                histogram, name: "lockstep_timer_lateness_seconds", labels: "loop=\"\(loop.index)\"",
                boundsMicroseconds: LoopMetrics.latenessBucketsMicroseconds)
        }
        out += Self.header("lockstep_timer_lateness_max_seconds", "gauge", "The largest timer lateness seen per loop.")
        for (loop, histogram) in zip(loops, lateness) {
            out += "lockstep_timer_lateness_max_seconds{loop=\"\(loop.index)\"} \(Double(histogram.max) / 1e9)\n"
        }
    }

    private static func header(_ name: String, _ type: String, _ help: String) -> String {
        "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
    }
}
