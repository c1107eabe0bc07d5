/// A fenced ```swift block of a Markdown document, with what the line before it says about it
/// (CONTRIBUTING.md, *Swift snippets in the docs*):
///
/// - no marker: declarations (and imports), compiled as a file of the document's module;
/// - `<!-- snippet: fragment -->`: statements, compiled as the body of an `async throws`
///   function (its `import` lines go to the top of the file);
/// - `<!-- snippet: main -->`: a whole `main.swift`, compiled as the only file of a module;
/// - `<!-- snippet: separate -->`: declarations compiled in a module of their own (a listing of
///   a declaration the library has, which would clash with it);
/// - `<!-- snippet: manifest -->`: the arguments of a `Package(…)` after its name (a package
///   manifest's dependencies and targets), evaluated as a manifest; every `Lockstep` product it
///   names must exist;
/// - `<!-- snippet: skip: REASON -->`: not compiled (the reason is required).
///
/// A marker may span lines: the lines between `<!-- snippet: KIND` and `-->` are Swift the block
/// takes as given, placed just before it (inside a fragment's function), shown in the Markdown
/// source only.
struct DocSnippet: Equatable {
    enum Kind: Equatable {
        case declarations, fragment, main, separate, manifest
        case skip(reason: String)
    }

    var kind: Kind
    /// The document's path as given to `extract`.
    var document: String
    /// The 1-based line of the block's first line of code in the document.
    var line: Int
    var code: [String]
    /// The given Swift from a multi-line marker, and its first line in the document.
    var given: [String] = []
    var givenLine = 0

    /// A convention broken: a marker that names no known kind, a skip without a reason, a marker
    /// with no swift block after it, a block left open.
    struct Problem: Error, Equatable, CustomStringConvertible {
        var document: String
        var line: Int
        var message: String
        var description: String { "\(document):\(line): \(message)" }
    }

    /// Every ```swift block of `text` (the contents of `document`), in order.
    static func extract(from text: String, document: String) throws(Problem) -> [DocSnippet] {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var snippets: [DocSnippet] = []
        var pending: (kind: Kind, given: [String], givenLine: Int, line: Int)?
        var index = 0
        while index < lines.count {
            let line = lines[index]
            let trimmed = line.trimmingLeadingSpaces()
            if trimmed.hasPrefix("<!-- snippet:") {
                if let pending { throw Problem(document: document, line: pending.line, message: "snippet marker not followed by a ```swift block") }
                let start = index
                var header = String(trimmed.dropFirst("<!-- snippet:".count))
                var given: [String] = []
                if let end = header.range(of: "-->") {
                    header = String(header[..<end.lowerBound])
                } else {
                    index += 1
                    while index < lines.count, !lines[index].trimmingLeadingSpaces().hasPrefix("-->") {
                        given.append(lines[index])
                        index += 1
                    }
                    guard index < lines.count else { throw Problem(document: document, line: start + 1, message: "snippet marker never closed with -->") }
                }
                pending = (try kind(header, document: document, line: start + 1), given, given.isEmpty ? 0 : start + 2, start + 1)
                index += 1
                continue
            }
            if let fence = Fence(line) {
                let close = lines[(index + 1)...].firstIndex { fence.isClosed(by: $0) }
                guard let close else { throw Problem(document: document, line: index + 1, message: "code block never closed") }
                if fence.info == "swift" {
                    let taken = pending ?? (.declarations, [], 0, index + 1)
                    snippets.append(
                        DocSnippet(
                            kind: taken.kind, document: document, line: index + 2, code: Array(lines[(index + 1)..<close]), given: taken.given,
                            givenLine: taken.givenLine))
                } else if let pending {
                    throw Problem(document: document, line: pending.line, message: "snippet marker not followed by a ```swift block")
                }
                pending = nil
                index = close + 1
                continue
            }
            if let marker = pending, !trimmed.isEmpty {
                throw Problem(document: document, line: marker.line, message: "snippet marker not followed by a ```swift block")
            }
            index += 1
        }
        if let pending { throw Problem(document: document, line: pending.line, message: "snippet marker not followed by a ```swift block") }
        return snippets
    }

    private static func kind(_ header: String, document: String, line: Int) throws(Problem) -> Kind {
        let words = header.trimmingLeadingSpaces()
        let name = String(words.prefix { $0.isLetter })
        switch name {
        case "fragment": return .fragment
        case "main": return .main
        case "declarations": return .declarations
        case "separate": return .separate
        case "manifest": return .manifest
        case "skip":
            var reason = words.dropFirst(name.count).trimmingLeadingSpaces()
            if reason.hasPrefix(":") { reason = String(reason.dropFirst()).trimmingLeadingSpaces() }
            while reason.last == " " { reason.removeLast() }
            guard !reason.isEmpty else { throw Problem(document: document, line: line, message: "snippet: skip needs a reason (skip: WHY)") }
            return .skip(reason: reason)
        default:
            throw Problem(document: document, line: line, message: "unknown snippet kind '\(name)' (fragment, main, separate, manifest, declarations or skip: REASON)")
        }
    }
}

/// An opening code fence (CommonMark: three or more backticks or tildes, then the info string).
private struct Fence {
    var character: Character
    var length: Int
    var info: String

    init?(_ line: String) {
        let trimmed = line.trimmingLeadingSpaces()
        guard let first = trimmed.first, first == "`" || first == "~" else { return nil }
        length = trimmed.prefix { $0 == first }.count
        guard length >= 3 else { return nil }
        character = first
        info = String(trimmed.dropFirst(length).prefix { $0 != " " })
    }

    func isClosed(by line: String) -> Bool {
        let trimmed = line.trimmingLeadingSpaces()
        let run = trimmed.prefix { $0 == character }.count
        return run >= length && trimmed.dropFirst(run).allSatisfy { $0 == " " }
    }
}

extension StringProtocol {
    fileprivate func trimmingLeadingSpaces() -> String { String(drop { $0 == " " }) }
}
