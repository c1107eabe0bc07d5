import Dispatch
import LockstepReplay
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The finished matches' replays in the replay directory, for `GET /v1/replays` and
/// `GET /v1/replays/ID`. Disk work runs on its own queue, never on an event loop; summaries are
/// cached by file size and time, so a listing reads only new files (a few KiB each).
///
/// A request names a replay by id only: the id is checked (1 to 64 letters, digits, `-`, `_`)
/// and looked up among the directory's entries, and the file opened is the entry found; no
/// request text is ever a path. Thread-safe: the cache is behind a mutex.
final class ReplayCatalog: Sendable {
    let directory: String
    private let cache = Mutex<[String: Cached]>([:])
    private let queue = DispatchQueue(label: "lockstep.replay-catalog")

    private struct Cached {
        var size: Int
        var modified: Int
        var summary: ReplaySummary
    }

    /// The bytes read from the front of a replay for its summary: the preamble and a header of
    /// 64 players with the longest ids fit in 17 KiB.
    static let headBytes = 20 * 1024

    init(directory: String) {
        self.directory = directory
    }

    /// Whether `id` may name a replay: a room id's characters (1 to 64 letters, digits, `-`, `_`).
    static func isValidID(_ id: String) -> Bool {
        (1...64).contains(id.utf8.count)
            && id.utf8.allSatisfy {
                ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x2D
                    || $0 == 0x5F
            }
    }

    /// The finished replays, newest first (then by id), at most `limit`, leaving out matches that
    /// never started (0 ticks: a quick match nobody joined); on the catalog's queue.
    func list(limit: Int, completion: @escaping @Sendable ([ReplaySummary]) -> Void) {
        queue.async { [self] in
            let summaries = scan().filter { $0.ticks > 0 }.sorted { ($0.endedUnix, $1.id) > ($1.endedUnix, $0.id) }
            completion(Array(summaries.prefix(limit)))
        }
    }

    /// The bytes of the finished replay `id`, at most `maxBytes`; on the catalog's queue.
    func read(id: String, maxBytes: Int, completion: @escaping @Sendable (Result<[UInt8], BattleError>) -> Void) {
        guard Self.isValidID(id) else {
            completion(.failure(.notFound("replay \(id.prefix(64))")))
            return
        }
        queue.async { [self] in
            guard let entry = scan().first(where: { $0.id == id }) else {
                completion(.failure(.notFound("replay \(id)")))
                return
            }
            guard entry.bytes <= maxBytes else {
                completion(
                    .failure(
                        .tooLarge(
                            "replay \(id) is \(entry.bytes) bytes, more than this server sends over HTTP (\(maxBytes))")
                    ))
                return
            }
            guard let bytes = try? readReplayFile(directory + "/" + entry.id + ".lsr") else {
                completion(.failure(.unavailable("replay \(id) cannot be read")))
                return
            }
            completion(.success(bytes))
        }
    }

    /// Every complete replay in the directory, from the cache where the file has not changed.
    private func scan() -> [ReplaySummary] {
        let names = Self.replayNames(in: directory)
        var previous = cache.withLock { $0 }
        var current: [String: Cached] = [:]
        var summaries: [ReplaySummary] = []
        for name in names {
            let id = String(name.dropLast(4))
            let path = directory + "/" + name
            var status = stat()
            guard stat(path, &status) == 0, status.st_mode & S_IFMT == S_IFREG else { continue }
            let size = Int(status.st_size)
            let modified = Int(status.st_mtim.tv_sec)
            if let cached = previous.removeValue(forKey: id), cached.size == size, cached.modified == modified {
                current[id] = cached
                summaries.append(cached.summary)
                continue
            }
            guard (try? ReplayCompleteness.endsWithFooter(path)) == true,
                let summary = Self.summarize(id: id, path: path, size: size, modified: modified)
            else { continue }
            current[id] = Cached(size: size, modified: modified, summary: summary)
            summaries.append(summary)
        }
        cache.withLock { $0 = current }
        return summaries
    }

    /// The `.lsr` entries of `directory` whose stem is a valid id, sorted.
    static func replayNames(in directory: String) -> [String] {
        guard let handle = opendir(directory) else { return [] }
        defer { closedir(handle) }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) {
                String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name.hasSuffix(".lsr"), isValidID(String(name.dropLast(4))) { names.append(name) }
        }
        return names.sorted()
    }

    private static func summarize(id: String, path: String, size: Int, modified: Int) -> ReplaySummary? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var head = [UInt8](repeating: 0, count: min(size, headBytes))
        var footer = [UInt8](repeating: 0, count: 25)
        let headRead = head.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        let footerRead = footer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, off_t(size - 25)) }
        guard headRead == head.count, footerRead == 25 else { return nil }
        return ReplaySummary(id: id, head: head, footer: footer, bytes: size, endedUnix: modified)
    }
}
