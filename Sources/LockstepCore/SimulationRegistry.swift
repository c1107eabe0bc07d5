/// The simulations a server, a replay verifier or a tool can run, by id and version.
///
/// Lockstep knows no game of its own: the program that embeds it registers its simulations (the
/// `lockstep` executable registers the reference arena), and hands the registry to the battle
/// server, which re-simulates the rooms of registered games (and decides desyncs by its own
/// hash), and to the replay verifier. Rooms of games it does not know are relayed.
///
/// ```swift
/// var simulations = SimulationRegistry()
/// simulations.register(TugOfWar.self)
/// ```
public struct SimulationRegistry: Sendable {
    /// One registered simulation: its id, version, player range and factory.
    public struct Entry: Sendable {
        public let id: String
        public let version: UInt16
        /// The player counts it accepts (rooms outside it are refused at creation).
        public let players: ClosedRange<Int>
        let factory: @Sendable (Int, UInt64) throws(ConfigurationError) -> any DeterministicSimulation
        /// Makes the server's bots for its rooms' bot seats (`nil`: this game has no bots).
        let botFactory: SimulationBotFactory?

        /// A new match of it for `players` slots seeded with `seed`.
        public func make(players: Int, seed: UInt64) throws(ConfigurationError) -> any DeterministicSimulation {
            try factory(players, seed)
        }

        /// Whether the server can seat bots in its rooms.
        public var hasBots: Bool { botFactory != nil }

        /// The bot for `slot` of a match seeded with `seed`, or `nil` when it has no bots.
        public func makeBot(slot: Int, seed: UInt64) -> (any SimulationBot)? {
            botFactory?(slot, seed)
        }
    }

    /// Registered simulations in registration order (looked up by a scan: there are few).
    public private(set) var entries: [Entry] = []

    /// An empty registry.
    public init() {}

    /// Registers `Simulation` under its `simulationID` and `simulationVersion`, replacing an
    /// earlier registration of the same id and version.
    ///
    /// - Parameter bot: makes the bots the battle server seats in rooms of this game when a room
    ///   asks for bot seats (`nil`: such rooms are refused).
    public mutating func register<Simulation: DeterministicSimulation & SendableMetatype>(
        _ type: Simulation.Type, bot: SimulationBotFactory? = nil
    ) {
        let entry = Entry(
            id: Simulation.simulationID, version: Simulation.simulationVersion, players: Simulation.playerRange,
            factory: { players, seed throws(ConfigurationError) in try Simulation(players: players, seed: seed) },
            botFactory: bot)
        entries.removeAll { $0.id == entry.id && $0.version == entry.version }
        entries.append(entry)
    }

    /// The registration of `id` at `version`, if any.
    public func entry(id: String, version: UInt16) -> Entry? {
        entries.first { $0.id == id && $0.version == version }
    }

    /// The versions of `id` registered, in registration order.
    public func versions(of id: String) -> [UInt16] {
        entries.filter { $0.id == id }.map(\.version)
    }

    /// A new match of `id` at `version`, or `nil` when it is not registered.
    ///
    /// - Throws: what the simulation throws for the player count or seed.
    public func make(id: String, version: UInt16, players: Int, seed: UInt64) throws(ConfigurationError)
        -> (any DeterministicSimulation)?
    {
        guard let entry = entry(id: id, version: version) else { return nil }
        return try entry.make(players: players, seed: seed)
    }
}
