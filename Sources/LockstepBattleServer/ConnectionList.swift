/// Connections (`WebSocketConnection`s in a room driver) in an array, walked every tick without
/// reference counting each one.
///
/// Each connection is kept twice: strongly, and as an unretained twin. `forEach` holds the strong
/// array for the walk (a connection that closes during it leaves the list, not the walk's copy)
/// and calls `body` with each twin as a guaranteed reference: no atomic retain and release per
/// connection per tick, which on a room's tick (a frame to every player, their deferred input)
/// cost more than the call. Loop-confined, like the driver that owns it.
struct ConnectionList<Connection: AnyObject> {
    private(set) var connections: [Connection?] = []
    private var unretained: [Unmanaged<Connection>?] = []

    /// An empty list.
    init() {}

    /// `connections`, in order (nil entries are skipped by `forEach`).
    init(_ connections: [Connection?]) {
        self.connections = connections
        unretained = connections.map { $0.map(Unmanaged.passUnretained) }
    }

    var isEmpty: Bool { connections.isEmpty }

    mutating func append(_ connection: Connection) {
        connections.append(connection)
        unretained.append(Unmanaged.passUnretained(connection))
    }

    /// Removes every entry that is `connection`.
    mutating func remove(_ connection: Connection) {
        connections.removeAll { $0 === connection }
        unretained.removeAll { $0?.toOpaque() == Unmanaged.passUnretained(connection).toOpaque() }
    }

    mutating func removeAll() {
        connections.removeAll()
        unretained.removeAll()
    }

    /// Calls `body` with every connection, in order.
    @inline(__always)
    func forEach(_ body: (Connection) -> Void) {
        let keepAlive = connections
        let twins = unretained
        var index = 0
        while index < twins.count {
            twins[index]?._withUnsafeGuaranteedRef(body)
            index += 1
        }
        withExtendedLifetime(keepAlive) {}
    }
}
