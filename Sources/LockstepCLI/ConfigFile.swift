import Foundation

/// Reads a JSON config file: one object whose keys are option names without dashes
/// (`{"port": 9000, "admin-key": "…", "echo": true}`). Values may be strings, numbers, booleans or
/// arrays of strings (for list settings: read as the strings joined with commas).
enum ConfigFile {
    static func load(_ path: String) throws -> [String: String] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw UsageError("cannot read the config file \(path)")
        }
        return try parse(data, path: path)
    }

    /// The settings in `data`, the contents of the config file at `path` (named in errors).
    static func parse(_ data: Data, path: String) throws -> [String: String] {
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw UsageError("the config file \(path) is not a JSON object")
        }
        var values: [String: String] = [:]
        for (key, value) in object {
            switch value {
            case let text as String: values[key] = text
            case let flag as Bool where "\(type(of: value))".contains("Bool"): values[key] = flag ? "true" : "false"
            case let number as Int: values[key] = String(number)
            case let number as Double: values[key] = String(number)
            case let list as [String]: values[key] = list.joined(separator: ",")
            default: throw UsageError("setting '\(key)' in \(path) must be a string, number, boolean or array of strings")
            }
        }
        return values
    }
}
