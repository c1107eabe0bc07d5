/// Where a command writes: standard output and standard error, injectable for tests.
public protocol CommandOutput: AnyObject {
    /// Writes `text` to standard output.
    func out(_ text: String)
    /// Writes `text` to standard error.
    func err(_ text: String)
}

/// One runnable subcommand of `lockstep`.
public protocol Command: Sendable {
    /// The grammar and help of the command.
    static var spec: CommandSpec { get }
    /// Runs the command with parsed arguments and returns its exit status.
    ///
    /// - Throws: `UsageError` (exit 64) for a bad command line that parsing alone cannot catch,
    ///   `CommandFailure` (exit 1) for a failure.
    static func run(_ arguments: ParsedArguments, output: CommandOutput) throws -> Int32
}
