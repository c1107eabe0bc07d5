/// The settings of one room's input collector, validated when built.
public struct InputCollectorConfiguration: Sendable, Equatable {
    /// The number of player slots (1 to `PlayerSlot.maximumCount`).
    public var slotCount: Int
    /// The longest payload accepted, in bytes (default 32, at most `InputFrame.hardPayloadLimit`).
    public var payloadLimit: Int
    /// How many ticks ahead of the next unconfirmed tick inputs are buffered (default 32:
    /// about a second at 30 Hz, enough for any sane input delay plus jitter).
    public var leadWindow: Int
    /// How many ticks behind the next unconfirmed tick a late input is still considered (default 8);
    /// older inputs are rejected as late whatever the policy.
    public var lateWindow: Int
    /// What happens to inputs that arrive after their tick was confirmed.
    public var latePolicy: LateInputPolicy
    /// What fills a slot that sent nothing in time.
    public var missingPolicy: MissingInputPolicy

    /// Builds a configuration, rejecting impossible values with a message.
    ///
    /// - Throws: `ConfigurationError` naming the field and the allowed range.
    public init(
        slotCount: Int, payloadLimit: Int = InputFrame.defaultPayloadLimit, leadWindow: Int = 32,
        lateWindow: Int = 8, latePolicy: LateInputPolicy = .drop, missingPolicy: MissingInputPolicy = .repeatLast
    ) throws(ConfigurationError) {
        guard (1...PlayerSlot.maximumCount).contains(slotCount) else {
            throw ConfigurationError(field: "slotCount", message: "must be 1 to \(PlayerSlot.maximumCount), not \(slotCount)")
        }
        guard (0...InputFrame.hardPayloadLimit).contains(payloadLimit) else {
            throw ConfigurationError(field: "payloadLimit", message: "must be 0 to \(InputFrame.hardPayloadLimit), not \(payloadLimit)")
        }
        guard (1...1024).contains(leadWindow) else {
            throw ConfigurationError(field: "leadWindow", message: "must be 1 to 1024 ticks, not \(leadWindow)")
        }
        guard (0...1024).contains(lateWindow) else {
            throw ConfigurationError(field: "lateWindow", message: "must be 0 to 1024 ticks, not \(lateWindow)")
        }
        self.slotCount = slotCount
        self.payloadLimit = payloadLimit
        self.leadWindow = leadWindow
        self.lateWindow = lateWindow
        self.latePolicy = latePolicy
        self.missingPolicy = missingPolicy
    }
}

/// A setting outside what is possible, found when a configuration is built.
public struct ConfigurationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The setting at fault.
    public var field: String
    /// What is allowed.
    public var message: String

    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { "\(field) \(message)" }
}
