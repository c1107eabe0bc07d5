import LockstepEventLoop
import Synchronization

#if canImport(Glibc)
    import LockstepClient
#endif

/// One match of a soak: its room, its bots and what they went through. The counters are atomics
/// the driving thread reads; `bots`, `players` and `resumed` belong to `loop`'s thread (hence
/// `@unchecked Sendable`): only closures run on `loop` touch them, and every method that does
/// checks it in debug builds (`assertInEventLoop`).
final class SoakRoom: BenchBotObserver, @unchecked Sendable {
    /// The room as the admin API created it.
    let created: AdminClient.CreatedRoom
    /// The loop every bot of this match runs on.
    let loop: EventLoop
    /// Connections opened (WebSocket clients created), and ended.
    let opened = Atomic<Int>(0), closed = Atomic<Int>(0)
    /// Players that got the schedule on their first connection, players that got it again after
    /// resuming, spectators that got it.
    let playersStarted = Atomic<Int>(0), playersResumed = Atomic<Int>(0), spectatorsStarted = Atomic<Int>(0)
    /// Reconnects asked for and not yet reconnected (the new connection not yet opened).
    let pendingReconnects = Atomic<Int>(0)
    /// The bots of this match (loop thread only): connections still open and ended alike, so none
    /// is freed while its client may still call it.
    private var bots: [BenchBot] = []
    /// Each player slot's latest bot (loop thread only).
    private var players: [Int: BenchBot] = [:]
    /// Which bots are resumed players (loop thread only), by identity.
    private var resumed: Set<ObjectIdentifier> = []

    init(created: AdminClient.CreatedRoom, loop: EventLoop) {
        self.created = created
        self.loop = loop
    }

    /// Whether the match is over for the bench: something connected, and every connection ended
    /// with no reconnect under way.
    var isOver: Bool {
        let pending = pendingReconnects.load(ordering: .sequentiallyConsistent)
        let open = opened.load(ordering: .sequentiallyConsistent)
        return pending == 0 && open > 0 && closed.load(ordering: .sequentiallyConsistent) >= open
    }

    /// Connects a bot with `session` and `token` (loop thread only), as player `playerSlot` or a
    /// spectator (`nil`); `resumeAfter` for a reconnect.
    func connect(
        session: BotSession, token: String, playerSlot: Int?, resumeAfter: UInt32? = nil, host: String, port: Int,
        path: String, recorder: LoopRecorder, window: BenchWindow
    ) {
        loop.assertInEventLoop()
        let bot = BenchBot(session: session, token: token, recorder: recorder, window: window, resumeAfter: resumeAfter)
        bot.observer = self
        bots.append(bot)
        if let playerSlot { players[playerSlot] = bot }
        if resumeAfter != nil { resumed.insert(ObjectIdentifier(bot)) }
        opened.add(1, ordering: .sequentiallyConsistent)
        do {
            try bot.connect(host: host, port: port, path: path, on: loop)
        } catch {
            recorder.closed.add()
            closed.add(1, ordering: .sequentiallyConsistent)
        }
    }

    /// Drops the connection of the player with `slot` (loop thread only) and returns the last
    /// tick it holds, to resume after; `nil` when that player is not connected and playing.
    func drop(playerSlot slot: Int) -> UInt32? {
        loop.assertInEventLoop()
        guard let bot = players[slot], bot.session.hasSchedule, !bot.session.ended, let client = bot.client
        else { return nil }
        let held = bot.session.expectedTick
        client.close()
        return held == 0 ? 0 : held - 1
    }

    /// Closes every connection still open (loop thread only).
    func closeAll() {
        loop.assertInEventLoop()
        for bot in bots { bot.client?.close() }
    }

    func botDidStart(_ bot: BenchBot) {
        loop.assertInEventLoop()
        if !bot.session.isPlayer {
            spectatorsStarted.add(1, ordering: .relaxed)
        } else if resumed.contains(ObjectIdentifier(bot)) {
            playersResumed.add(1, ordering: .relaxed)
        } else {
            playersStarted.add(1, ordering: .relaxed)
        }
    }

    func botDidClose(_ bot: BenchBot) {
        loop.assertInEventLoop()
        closed.add(1, ordering: .sequentiallyConsistent)
    }
}
