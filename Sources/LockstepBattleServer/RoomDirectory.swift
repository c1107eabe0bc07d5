import LockstepCore
import LockstepEventLoop
import LockstepProtocol
import LockstepRoom
import LockstepServer
import Synchronization

/// Every room of the server: where it lives and how to reach it. Thread-safe (a mutex guards the
/// map; it is touched once per join and per admin request, never per tick or per input).
final class RoomDirectory: Sendable {
    struct Entry: Sendable {
        /// The room's driver while the room runs; `nil` once it ended. What an ended room keeps
        /// listed (the summary, its replay) is in the entry and its gauges, so the directory lets
        /// go of the driver, and with it the whole `Room` (its frame history, queues and
        /// simulation: about 31 KiB a room, held 10 minutes by the retention).
        var driver: RoomDriverReference?
        let loop: EventLoop
        let gauges: RoomGauges
        let replayPath: String
        /// The room's game and whether this server re-simulates it.
        var simulationID = ""
        var simulationVersion: UInt16 = 0
        var isResimulated = false
        /// The slots the server plays itself.
        var botSlots: [Int] = []
        /// Its player slots (bots included).
        var players = 0
        /// Made by a public quick match (counts towards `publicMaxRooms` until it ends).
        var isPublic = false
        let createdUnix: UInt64
        var endedReason: MatchEndReason?
        /// When the room ended (Unix seconds), for pruning.
        var endedUnix: UInt64?
    }

    /// A sendable box for a loop-confined driver: only dereference it on `loop` (`@unchecked`:
    /// the driver is confined to `loop`'s thread, and every entry point of it checks so in debug builds).
    struct RoomDriverReference: @unchecked Sendable {
        let driver: RoomDriver
    }

    private let rooms = Mutex<[String: Entry]>([:])
    /// Ids claimed by a creation in progress (before its driver exists), under their own lock
    /// order: always taken inside `rooms`'s.
    private let reserved = Mutex<Set<String>>([])
    private let counter = Atomic<UInt64>(0)
    /// Public quick-match rooms claimed and not yet ended.
    private let publicRooms = Atomic<Int>(0)
    /// Replays an earlier run left without a footer, found at start-up (sorted by room id).
    private let interruptedReplays = Mutex<[InterruptedReplay]>([])
    let metrics = BattleMetrics()
    let logger: Logger

    init(logger: Logger) {
        self.logger = logger
    }

    /// Rooms that have not ended.
    var liveCount: Int { rooms.withLock { $0.values.filter { $0.endedReason == nil }.count } }

    /// The next room's position in the tick period: a golden-ratio sequence, so any number of
    /// rooms are spread evenly and no two rooms created in a row fire together.
    ///
    /// - Parameter slots: when above 0, phases are rounded down to `slots` evenly spaced instants
    ///   of the period, so rooms sharing a slot fire in one loop wake-up (one timer, one
    ///   `epoll_wait` return) instead of one each; 0 spreads every room on its own instant.
    func nextPhase(period: UInt64, slots: Int = 0) -> (index: UInt64, offset: UInt64) {
        let index = counter.add(1, ordering: .relaxed).newValue
        let fraction = (index &* 0x9E37_79B9_7F4A_7C15) >> 32  // frac(index × φ) in 32 bits
        guard slots > 0 else { return (index, (fraction * period) >> 32) }
        let slot = (fraction * UInt64(slots)) >> 32
        return (index, slot * period / UInt64(slots))
    }

    /// Claims `id` for a room about to be created; `false` when a room has it or another
    /// creation claimed it. Claim before creating anything that uses the id (the replay file).
    func reserve(_ id: String) -> Bool {
        rooms.withLock { map in
            guard map[id] == nil else { return false }
            return reserved.withLock { $0.insert(id).inserted }
        }
    }

    /// Gives up a claim whose room could not be created.
    func cancelReservation(_ id: String) {
        rooms.withLock { _ in _ = reserved.withLock { $0.remove(id) } }
    }

    /// Adds a room under an id it reserved (or a free one); `false` when a room has the id.
    func insert(_ id: String, _ entry: Entry) -> Bool {
        rooms.withLock { map in
            guard map[id] == nil else { return false }
            map[id] = entry
            _ = reserved.withLock { $0.remove(id) }
            return true
        }
    }

    func entry(_ id: String) -> Entry? {
        rooms.withLock { $0[id] }
    }

    /// Every room id, sorted (never the dictionary's order).
    func ids() -> [String] {
        rooms.withLock { Array($0.keys) }.sorted()
    }

    func roomEnded(_ id: String, reason: MatchEndReason, nowUnix: UInt64 = TokenSigner.unixNow()) {
        let endedPublicRoom = rooms.withLock { map in
            let wasLivePublic = map[id].map { $0.isPublic && $0.endedReason == nil } ?? false
            map[id]?.endedReason = reason
            map[id]?.endedUnix = nowUnix
            map[id]?.driver = nil
            return wasLivePublic
        }
        if endedPublicRoom { releasePublicRoom() }
    }

    /// Claims one of `limit` public rooms; `false` when all are taken.
    func reservePublicRoom(limit: Int) -> Bool {
        var current = publicRooms.load(ordering: .relaxed)
        while current < limit {
            let (exchanged, original) = publicRooms.compareExchange(expected: current, desired: current + 1, ordering: .relaxed)
            if exchanged { return true }
            current = original
        }
        return false
    }

    /// Gives back a public room's claim (its room ended, or was never made).
    func releasePublicRoom() {
        publicRooms.subtract(1, ordering: .relaxed)
    }

    /// Public rooms claimed and not ended.
    var publicRoomCount: Int { publicRooms.load(ordering: .relaxed) }

    /// Forgets rooms that ended more than `keepSeconds` ago (their replays stay on disk, and
    /// their ids stay taken by them: a new room with the id is refused, 409).
    ///
    /// - Returns: how many rooms were forgotten.
    @discardableResult
    func prune(nowUnix: UInt64, keepSeconds: UInt64) -> Int {
        rooms.withLock { map in
            let expired = map.filter { _, entry in entry.endedUnix.map { $0 + keepSeconds < nowUnix } ?? false }
            for id in expired.keys { map[id] = nil }
            return expired.count
        }
    }

    /// Records the interrupted replays found at start-up.
    func setInterrupted(_ replays: [InterruptedReplay]) {
        interruptedReplays.withLock { $0 = replays }
    }

    /// The interrupted replays found at start-up, sorted by room id.
    func interrupted() -> [InterruptedReplay] {
        interruptedReplays.withLock { $0 }
    }

    func all() -> [(String, Entry)] {
        rooms.withLock { map in map.map { ($0.key, $0.value) } }.sorted { $0.0 < $1.0 }
    }
}
