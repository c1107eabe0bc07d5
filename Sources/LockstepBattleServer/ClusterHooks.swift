import LockstepHTTP
import LockstepServer
import Synchronization

/// What a cluster adds to one node's battle server: placement of new rooms, answers about rooms
/// of other nodes, and where a room lives. `LockstepCluster` implements it; without one the
/// server is a single node. Every method is called on an event loop and must not block it.
public protocol ClusterHooks: AnyObject, Sendable {
    /// This node's public play endpoint base, `ws://HOST:PORT`: the `url` of the rooms it creates.
    var playBaseURL: String { get }
    /// `POST /v1/rooms` that was not placed yet: choose a node, have it create the room, answer.
    func placeRoom(body: [UInt8], responder: HTTPResponder)
    /// `GET /v1/rooms/ID` for a room this node does not have.
    func readRoom(_ id: String, responder: HTTPResponder)
    /// `POST /v1/rooms/ID/end` for a room this node does not have.
    func endRoom(_ id: String, responder: HTTPResponder)
    /// Where room `id` is played, for a player who came to the wrong node (`completion` on any thread).
    func locateRoom(_ id: String, completion: @escaping @Sendable (RoomLocation) -> Void)
}

/// Where a room is, as the cluster's directory says.
public enum RoomLocation: Sendable, Equatable {
    /// On another node: its play URL for the room, `ws://HOST:PORT/v1/play?room=ID`.
    case elsewhere(playURL: String)
    /// Nowhere (unknown, ended or lost).
    case notFound
    /// The directory could not be asked (Redis down): why.
    case unknown(String)
}

/// The cluster a server belongs to, if any: set once before `start()`, read at each creation,
/// join and admin read (never per tick or per input).
final class ClusterLink: Sendable {
    private let hooks = Mutex<(any ClusterHooks)?>(nil)

    var current: (any ClusterHooks)? { hooks.withLock { $0 } }

    func attach(_ cluster: any ClusterHooks) { hooks.withLock { $0 = cluster } }
}
