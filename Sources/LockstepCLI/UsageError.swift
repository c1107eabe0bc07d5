/// A command line that does not fit the command's grammar; reported as `Error: … / Usage: …`, exit 64.
public struct UsageError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What was wrong, in one sentence.
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}

/// A failure while running a well-formed command; reported as `Error: …`, exit 1.
public struct CommandFailure: Error, Equatable, Sendable, CustomStringConvertible {
    /// What went wrong.
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
