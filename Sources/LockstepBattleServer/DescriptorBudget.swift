import LockstepEventLoop
import LockstepServer

/// The file descriptors a battle server's limits can use at once, against the process's limit.
/// Every waiting or running room holds its replay file open, and every connection a socket: a
/// configuration that cannot fit would refuse connections (or rooms) at random under load.
public struct DescriptorBudget: Equatable, Sendable {
    /// Descriptors for everything else: standard streams, the listening socket, each loop's
    /// epoll and eventfd, the replay directory probe, files opened by catch-up.
    public static let fixedReserve: UInt64 = 64
    /// Per event loop (epoll, eventfd, with room to spare).
    public static let perLoop: UInt64 = 4

    /// Descriptors the configuration can need at once.
    public let needed: UInt64

    /// The budget of `configuration` served as `network` says.
    public init(configuration: BattleConfiguration, network: ServerConfiguration) {
        let loops = UInt64(network.loopCount ?? EventLoopGroup.coreCount)
        needed = UInt64(configuration.maxRooms) + UInt64(network.maxConnections) + Self.fixedReserve + Self.perLoop * loops
    }

    /// Checks the budget against `limit` (the soft limit, after raising it to the hard one).
    ///
    /// - Throws: `ServerStartError.configuration` saying what is needed, what is allowed and
    ///   what to change.
    public func check(against limit: OpenFileLimit) throws(ServerStartError) {
        guard needed > limit.soft else { return }
        throw .configuration(
            "--max-rooms and --max-connections need up to \(needed) file descriptors (one per room's replay file, "
                + "one per connection, plus the server's own), but the limit is \(limit.soft) "
                + "(hard limit \(limit.hard)): lower them or raise the hard limit (ulimit -Hn, LimitNOFILE=)")
    }

    /// The limits `fit` chose.
    public struct Fitted: Equatable, Sendable {
        public var maxRooms: Int
        public var maxConnections: Int
    }

    /// Lowers `configuration.maxRooms` and `network.maxConnections` to what `limit` can hold, in
    /// the defaults' proportion (ten connections per room), when they do not fit. For the defaults
    /// only: a server on a machine with a low hard limit still starts, with smaller limits it logs.
    ///
    /// - Returns: the new limits, or `nil` when the configuration already fits.
    public static func fit(
        configuration: inout BattleConfiguration, network: inout ServerConfiguration, to limit: OpenFileLimit
    ) -> Fitted? {
        let budget = DescriptorBudget(configuration: configuration, network: network)
        guard budget.needed > limit.soft else { return nil }
        let loops = UInt64(network.loopCount ?? EventLoopGroup.coreCount)
        let reserve = fixedReserve + perLoop * loops
        let available = limit.soft > reserve + 11 ? limit.soft - reserve : 11
        let rooms = max(1, Int(available / 11))
        let connections = max(1, Int(available) - rooms)
        configuration.maxRooms = min(configuration.maxRooms, rooms)
        network.maxConnections = min(network.maxConnections, connections)
        return Fitted(maxRooms: configuration.maxRooms, maxConnections: network.maxConnections)
    }
}
