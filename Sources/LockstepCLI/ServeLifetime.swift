import Foundation
import LockstepBattleServer
import LockstepEventLoop
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// How long `lockstep serve` runs: until a signal says stop now, or until a drain (signal or
/// `POST /v1/drain`) has let the last match end.
///
/// SIGINT and SIGTERM must be blocked in every thread before any starts (`blockSignals()`); one
/// thread then waits for them with `sigwait` (`watchSignals`). `Sendable`: its state is under a
/// mutex; it is told about the server's state on the server's observer queue.
final class ServeLifetime: BattleObserver, Sendable {
    /// Why serving ends.
    enum Ending: Equatable {
        /// A signal asked to stop now (matches end with `serverShutdown`).
        case stopNow
        /// The drain is over: no room is left.
        case drained
    }

    private let ending = Mutex<Ending?>(nil)
    private let changed = ConditionSignal()

    func serverStateChanged(_ state: BattleServerState, counts: BattleCounts) {
        if state == .drained { finish(.drained) }
    }

    /// Ends serving (the first reason given stands).
    func finish(_ reason: Ending) {
        ending.withLock { if $0 == nil { $0 = reason } }
        changed.signal()
    }

    /// Waits until serving ends, and says why.
    func wait() -> Ending {
        while true {
            changed.wait(until: MonotonicInstant.now() + .seconds(3600)) { ending.withLock { $0 != nil } }
            if let reason = ending.withLock({ $0 }) { return reason }
        }
    }

    /// Blocks SIGINT and SIGTERM in the calling thread and the threads it starts after.
    static func blockSignals() {
        var signals = Self.signals
        pthread_sigmask(SIG_BLOCK, &signals, nil)
    }

    /// Starts a thread that waits for SIGINT and SIGTERM and calls `received` with each signal
    /// and how many have come so far (1 for the first).
    static func watchSignals(_ received: @escaping @Sendable (_ signal: Int32, _ count: Int) -> Void) {
        let thread = Thread {
            var signals = Self.signals
            var count = 0
            while true {
                var signal: Int32 = 0
                guard sigwait(&signals, &signal) == 0 else { continue }
                count += 1
                received(signal, count)
            }
        }
        thread.name = "lockstep-signals"
        thread.start()
    }

    private static var signals: sigset_t {
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGINT)
        sigaddset(&signals, SIGTERM)
        return signals
    }
}
