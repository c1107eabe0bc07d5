import LockstepEventLoop

/// Forgets ended rooms on a timer (on one event loop), `retentionSeconds` after they ended, so an
/// idle server does not keep them forever. Their replays stay on disk and keep their ids taken.
final class RoomPruner: Sendable {
    private let directory: RoomDirectory
    private let loop: EventLoop
    private let retentionSeconds: UInt64
    private let intervalNanos: UInt64

    /// A pruner that looks every `min(60, retention)` seconds (at least every second).
    init(directory: RoomDirectory, loop: EventLoop, retentionSeconds: UInt64) {
        self.directory = directory
        self.loop = loop
        self.retentionSeconds = retentionSeconds
        intervalNanos = max(1, min(60, retentionSeconds)) * 1_000_000_000
    }

    /// Arms the first look; each look arms the next (the loop's shutdown ends them).
    func start() {
        loop.execute { [self] in arm() }
    }

    private func arm() {
        _ = loop.scheduleTimer(at: MonotonicInstant(nanoseconds: loop.now.nanoseconds + intervalNanos)) { [self] _ in
            let forgotten = directory.prune(nowUnix: TokenSigner.unixNow(), keepSeconds: retentionSeconds)
            if forgotten > 0 { directory.logger.debug("rooms_pruned", ["rooms": forgotten]) }
            arm()
        }
    }
}
