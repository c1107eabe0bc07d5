import LockstepProtocol

/// Something outside the battle server that follows its rooms and its state: a cluster
/// directory, an orchestrator's SDK (Agones), a dashboard.
///
/// **Threading.** Every call comes on one private serial queue of the server (never on an event
/// loop), one at a time, in the order the changes happened: a room's `created` before its
/// `started` before its `ended`, and the server's states in order. An observer that must talk to
/// the network should hand the work to its own thread or queue and return: a slow observer
/// delays the others (never a room). Calls stop after `BattleServer.shutdown()` returns; every
/// change made before it has been delivered by then.
public protocol BattleObserver: Sendable {
    /// A room was created, started, gained or lost a player, or ended.
    func roomChanged(_ change: RoomLifecycleEvent)

    /// The server began to drain, drained, or stopped.
    func serverStateChanged(_ state: BattleServerState, counts: BattleCounts)
}

extension BattleObserver {
    public func roomChanged(_ change: RoomLifecycleEvent) {}
    public func serverStateChanged(_ state: BattleServerState, counts: BattleCounts) {}
}

/// One change of one room, with the server's counts right after it.
public struct RoomLifecycleEvent: Sendable, Equatable {
    /// What happened.
    public enum Change: Sendable, Equatable {
        /// The room exists and its tokens were minted; its player ids by slot.
        case created(playerIDs: [String])
        /// Its match started (enough players joined).
        case started
        /// The player with this id (from the room's `playerIDs`) now has a connection.
        case playerConnected(playerID: String)
        /// The player with this id lost or closed its connection (it may come back).
        case playerDisconnected(playerID: String)
        /// Its match ended; its replay is being finalised. The last event of a room.
        case ended(MatchEndReason)
    }

    /// The room's id (unique on this server).
    public var roomID: String
    public var change: Change
    /// The server's counts right after this change.
    public var counts: BattleCounts

    public init(roomID: String, change: Change, counts: BattleCounts) {
        self.roomID = roomID
        self.change = change
        self.counts = counts
    }
}

/// The server's load as observers see it.
public struct BattleCounts: Sendable, Equatable {
    /// Rooms created (or being created) and not ended.
    public var rooms: Int
    /// Players with a connection to a room that has not ended.
    public var players: Int
    /// The most rooms at once (`BattleConfiguration.maxRooms`).
    public var maxRooms: Int

    public init(rooms: Int, players: Int, maxRooms: Int) {
        self.rooms = rooms
        self.players = players
        self.maxRooms = maxRooms
    }
}

/// Where the server is in its life.
public enum BattleServerState: Sendable, Equatable {
    /// Creating rooms and running them.
    case serving
    /// Refusing new rooms (503) while running matches go on; `timeoutSeconds` later any still
    /// running end with `serverDrainTimeout` (`nil`: no timeout).
    case draining(timeoutSeconds: Int?)
    /// Draining and no room is left: the process may stop.
    case drained
    /// `shutdown()` was called: every match is ended (`serverShutdown`) and the server stops.
    case stopping

    /// The state's name in the admin API and logs.
    public var name: String {
        switch self {
        case .serving: "serving"
        case .draining: "draining"
        case .drained: "drained"
        case .stopping: "stopping"
        }
    }
}
