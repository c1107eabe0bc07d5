import LockstepCore
import LockstepReplay
import LockstepServer

/// How a room's replay file is opened and how its fate is told: a failure is logged with the
/// path, counted in `lockstep_replay_failures_total` and shown in the room's admin summary; a
/// replay is logged `replay_written` only once its footer is on disk.
struct ReplayFailureReport: Sendable {
    let roomID: String
    let gauges: RoomGauges
    let metrics: BattleMetrics
    let logger: Logger

    /// The handler a `ReplayFileWriter` calls with its first write error (on any thread).
    var onWriteFailure: @Sendable (ReplayError) -> Void {
        let report = self
        return { error in
            report.gauges.replayState.store(RoomReplayState.failed.rawValue, ordering: .relaxed)
            report.metrics.replayFailures.add(1, ordering: .relaxed)
            report.logger.error("replay_write_failed", ["room": report.roomID, "error": error])
        }
    }

    /// The completion of a replay's `finish`: logs it written and marks the room's replay so.
    func written(path: String, ticks: Tick) -> @Sendable () -> Void {
        let report = self
        return {
            report.gauges.replayState.store(RoomReplayState.written.rawValue, ordering: .relaxed)
            report.logger.info("replay_written", ["room": report.roomID, "path": path, "ticks": ticks])
        }
    }
}

/// Where a room's replay file stands, as the admin API shows it (`replayStatus`).
enum RoomReplayState: UInt8, Sendable {
    /// Being written as the match is played.
    case writing = 0
    /// Complete: the footer is on disk.
    case written
    /// A write failed: the file ends at the last good write (the match went on).
    case failed

    var name: String {
        switch self {
        case .writing: "writing"
        case .written: "written"
        case .failed: "failed"
        }
    }
}

extension RoomDriver {
    /// Creates the room's replay file, which must not exist.
    ///
    /// - Throws: 409 when a replay with the room's id exists (a finished, failed or interrupted
    ///   match, maybe from an earlier run: it is never overwritten); 503 when the file cannot be
    ///   created or its header written (a full disk). Answers carry no server path: the log does.
    static func openReplay(
        path: String, header: ReplayHeader, flushInterval: Int, writeQueue: ReplayWriteQueue?, report: ReplayFailureReport
    ) throws(BattleError) -> ReplayFileWriter {
        do {
            return try ReplayFileWriter(
                path: path, header: header, flushInterval: flushInterval, writeQueue: writeQueue,
                onWriteFailure: report.onWriteFailure)
        } catch {
            if case .fileExists = error.problem {
                report.logger.warning("replay_exists", ["room": report.roomID, "path": path])
                throw .conflict("room \(report.roomID) already has a replay (a finished or interrupted match used this id); choose another roomID")
            }
            report.metrics.replayFailures.add(1, ordering: .relaxed)
            report.logger.error("replay_open_failed", ["room": report.roomID, "error": error])
            throw .unavailable("cannot create the replay for room \(report.roomID): the server cannot write its replay directory (see its log)")
        }
    }
}
