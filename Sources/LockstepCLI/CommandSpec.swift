/// The declared shape of one subcommand: its options, its positional arguments and its help text.
///
/// Parsing and `--help` output are both derived from this one description, so the help a user
/// reads is always the grammar the parser accepts.
public struct CommandSpec: Sendable {
    /// The full command path, for example `["replay", "verify"]`.
    public var path: [String]
    /// One line saying what the command does.
    public var summary: String
    /// Extra paragraphs printed after the options by `--help`.
    public var discussion: String
    /// The options the command accepts.
    public var options: [OptionSpec]
    /// The positional arguments, in order.
    public var positionals: [PositionalSpec]

    public init(
        path: [String], summary: String, discussion: String = "",
        options: [OptionSpec] = [], positionals: [PositionalSpec] = []
    ) {
        self.path = path
        self.summary = summary
        self.discussion = discussion
        self.options = options
        self.positionals = positionals
    }

    /// The one-line usage string, for example `lockstep replay verify [--json] FILE...`.
    public var usageLine: String {
        var parts = ["lockstep"] + path
        for option in options {
            if let valueName = option.valueName {
                parts.append("[\(option.name) \(valueName)]")
            } else {
                parts.append("[\(option.name)]")
            }
        }
        for positional in positionals {
            var word = positional.name
            if positional.isRepeating { word += "..." }
            parts.append(positional.isOptional ? "[\(word)]" : word)
        }
        return parts.joined(separator: " ")
    }

    /// The text printed by `--help`.
    public var helpText: String {
        var lines = ["OVERVIEW: \(summary)", "", "USAGE: \(usageLine)"]
        if !positionals.isEmpty {
            lines.append("")
            lines.append("ARGUMENTS:")
            for positional in positionals {
                lines.append(Self.column(positional.name, positional.help))
            }
        }
        lines.append("")
        lines.append("OPTIONS:")
        for option in options {
            let left = option.valueName.map { "\(option.name) \($0)" } ?? option.name
            var help = option.help
            if let env = option.environment { help += " (env: \(env))" }
            if let defaultValue = option.defaultDescription { help += " (default: \(defaultValue))" }
            lines.append(Self.column(left, help))
        }
        lines.append(Self.column("-h, --help", "Show help information."))
        if !discussion.isEmpty {
            lines.append("")
            lines.append(discussion)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func column(_ left: String, _ right: String) -> String {
        let padded = "  " + left
        if padded.count >= 26 { return padded + "\n" + String(repeating: " ", count: 26) + right }
        return padded + String(repeating: " ", count: 26 - padded.count) + right
    }
}

/// One `--name` option, either a flag or an option that takes a value.
public struct OptionSpec: Sendable {
    /// The long name including the dashes, for example `--port`.
    public var name: String
    /// The placeholder for the value (`PORT`), or `nil` for a flag that takes none.
    public var valueName: String?
    /// What the option does.
    public var help: String
    /// The default, as shown in `--help`.
    public var defaultDescription: String?
    /// An environment variable that supplies the value when the flag is absent.
    public var environment: String?

    public init(
        _ name: String, value valueName: String? = nil, help: String,
        default defaultDescription: String? = nil, environment: String? = nil
    ) {
        self.name = name
        self.valueName = valueName
        self.help = help
        self.defaultDescription = defaultDescription
        self.environment = environment
    }
}

/// One positional argument.
public struct PositionalSpec: Sendable {
    /// The placeholder shown in usage, for example `FILE`.
    public var name: String
    /// What the argument is.
    public var help: String
    /// Whether the argument may be left out.
    public var isOptional: Bool
    /// Whether the argument takes every remaining word.
    public var isRepeating: Bool

    public init(_ name: String, help: String, optional: Bool = false, repeating: Bool = false) {
        self.name = name
        self.help = help
        self.isOptional = optional
        self.isRepeating = repeating
    }
}
