import Foundation
import LockstepReplay
import LockstepServer

/// A replay found at start-up without its footer: a match that was being played when an earlier
/// run of the server stopped (a crash, `kill -9`, a power loss). Its file is kept as it is, it is
/// listed by the admin API with phase `interrupted`, and its id cannot be reused.
struct InterruptedReplay: Sendable, Equatable {
    /// The room id (the file name without `.lsr`).
    let roomID: String
    /// The replay file.
    let path: String
    /// The file's size in bytes.
    let bytes: UInt64

    /// The replays in `directory` that end without a footer, sorted by room id. Files that cannot
    /// be read are logged and skipped; only the last bytes of each file are read.
    static func scan(_ directory: String, logger: Logger) -> [InterruptedReplay] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            logger.warning("replay_scan_failed", ["path": directory, "error": error.localizedDescription])
            return []
        }
        var found: [InterruptedReplay] = []
        for name in names.sorted() where name.hasSuffix(".lsr") && name.count > 4 {
            let path = directory + "/" + name
            do {
                guard try !ReplayCompleteness.endsWithFooter(path) else { continue }
            } catch {
                logger.warning("replay_scan_failed", ["path": path, "error": error])
                continue
            }
            let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? UInt64
            found.append(InterruptedReplay(roomID: String(name.dropLast(4)), path: path, bytes: size ?? 0))
        }
        return found
    }
}
