import LockstepCore

/// The words of a command line sorted into flags, option values and positionals by a `CommandSpec`.
public struct ParsedArguments: Sendable {
    /// Whether `--help` or `-h` was given.
    public private(set) var wantsHelp = false
    private var flags: [String] = []
    private var values: [(name: String, value: String)] = []
    /// The positional words, in order.
    public private(set) var positionals: [String] = []
    private let environment: [String: String]
    private var configFile: [String: String] = [:]
    private let spec: CommandSpec
    /// The simulations the program registered (set by `CommandLineTool.main`; the commands that
    /// run games read them).
    public internal(set) var simulations = SimulationRegistry()

    /// Parses `arguments` (the words after the command path) against `spec`.
    ///
    /// - Parameter environment: where options with an `environment` name look when the flag is absent.
    /// - Throws: `UsageError` for an unknown option, a missing value, or the wrong number of positionals.
    public init(_ arguments: [String], spec: CommandSpec, environment: [String: String] = [:]) throws(UsageError) {
        self.spec = spec
        self.environment = environment
        var index = 0
        var onlyPositionals = false
        while index < arguments.count {
            let word = arguments[index]
            index += 1
            if onlyPositionals || !word.hasPrefix("-") || word == "-" {
                positionals.append(word)
                continue
            }
            if word == "--" {
                onlyPositionals = true
                continue
            }
            if word == "-h" || word == "--help" {
                wantsHelp = true
                continue
            }
            var name = word
            var inlineValue: String?
            if let equals = word.firstIndex(of: "=") {
                name = String(word[..<equals])
                inlineValue = String(word[word.index(after: equals)...])
            }
            guard let option = spec.options.first(where: { $0.name == name }) else {
                throw UsageError("unknown option '\(name)'")
            }
            if option.valueName == nil {
                if inlineValue != nil { throw UsageError("option '\(name)' takes no value") }
                flags.append(name)
            } else if let inlineValue {
                values.append((name, inlineValue))
            } else {
                guard index < arguments.count else { throw UsageError("option '\(name)' needs a value") }
                values.append((name, arguments[index]))
                index += 1
            }
        }
        if wantsHelp { return }
        let required = spec.positionals.filter { !$0.isOptional }.count
        let repeating = spec.positionals.contains { $0.isRepeating }
        if positionals.count < required {
            let missing = spec.positionals[positionals.count].name
            throw UsageError("missing argument \(missing)")
        }
        if !repeating && positionals.count > spec.positionals.count {
            throw UsageError("unexpected argument '\(positionals[spec.positionals.count])'")
        }
    }

    /// Whether the flag `name` was given.
    public func flag(_ name: String) -> Bool {
        flags.contains(name)
    }

    /// The last value given for `name`, else its environment variable, else the config file's
    /// value (keyed by the option name without dashes), else `nil`: flags > environment > file.
    public func value(_ name: String) -> String? {
        if let last = values.last(where: { $0.name == name }) { return last.value }
        if let env = spec.options.first(where: { $0.name == name })?.environment, let value = environment[env] {
            return value
        }
        return configFile[String(name.drop { $0 == "-" })]
    }

    /// Whether the flag `name` was given, or set to true in the environment or the config file.
    public func flagOrSetting(_ name: String) -> Bool {
        if flag(name) { return true }
        guard let text = value(name)?.lowercased() else { return false }
        return text == "1" || text == "true" || text == "yes"
    }

    /// Adds the values of a config file, the lowest precedence (keys: option names without dashes).
    ///
    /// - Throws: `UsageError` for a key that is not an option of the command.
    public mutating func addConfigFile(_ values: [String: String]) throws(UsageError) {
        for key in values.keys.sorted() where !spec.options.contains(where: { $0.name == "--" + key }) {
            throw UsageError("unknown setting '\(key)' in the config file")
        }
        configFile = values
    }

    /// Every value given for a repeatable option, in order.
    public func allValues(_ name: String) -> [String] {
        values.filter { $0.name == name }.map(\.value)
    }

    /// The value of `name` as an integer within `range`, or `nil` when absent.
    ///
    /// - Throws: `UsageError` when the value is not a whole number in the range.
    public func integer(_ name: String, in range: ClosedRange<Int>) throws(UsageError) -> Int? {
        guard let text = value(name) else { return nil }
        guard let number = Int(text), range.contains(number) else {
            throw UsageError("option '\(name)' takes a whole number from \(range.lowerBound) to \(range.upperBound), not '\(text)'")
        }
        return number
    }

    /// The value of `name` as an unsigned 64-bit integer (decimal or `0x` hex), or `nil` when absent.
    public func unsigned64(_ name: String) throws(UsageError) -> UInt64? {
        guard let text = value(name) else { return nil }
        let parsed = text.hasPrefix("0x") ? UInt64(text.dropFirst(2), radix: 16) : UInt64(text)
        guard let parsed else { throw UsageError("option '\(name)' takes an unsigned 64-bit number, not '\(text)'") }
        return parsed
    }
}
