import Foundation
import Testing

/// Every Swift snippet of README.md, CONTRIBUTING.md and docs/*.md compiles, like Rust's
/// doctests: the snippets become a package depending on this repository (one build for all of
/// them), and a snippet that does not compile is reported at its document's line.
@Suite struct DocSnippetTests {
    /// The documents whose snippets must compile, relative to the repository's root.
    static func documents() throws -> [String] {
        let docs = try FileManager.default.contentsOfDirectory(atPath: PackageBuild.root + "/docs")
            .filter { $0.hasSuffix(".md") }.sorted().map { "docs/" + $0 }
        return ["README.md", "CONTRIBUTING.md"] + docs
    }

    static func snippets() throws -> [DocSnippet] {
        try documents().flatMap { document in
            let text = try String(contentsOfFile: PackageBuild.root + "/" + document, encoding: .utf8)
            return try DocSnippet.extract(from: text, document: document)
        }
    }

    @Test func theSnippetConventionIsReadAsDocumented() throws {
        let markdown = """
            # Title
            ```swift
            struct A {}
            ```
            <!-- snippet: fragment
            let given = 1
            -->
            ```swift
            print(given)
            ```
            ~~~markdown
            ```swift
            not a snippet: inside another block
            ```
            ~~~
            <!-- snippet: skip: needs a GPU -->

            ```swift
            render()
            ```
            <!-- snippet: main -->
            ```swift
            print("top level")
            ```
            """
        let snippets = try DocSnippet.extract(from: markdown, document: "X.md")
        #expect(
            snippets == [
                DocSnippet(kind: .declarations, document: "X.md", line: 3, code: ["struct A {}"]),
                DocSnippet(kind: .fragment, document: "X.md", line: 9, code: ["print(given)"], given: ["let given = 1"], givenLine: 6),
                DocSnippet(kind: .skip(reason: "needs a GPU"), document: "X.md", line: 19, code: ["render()"]),
                DocSnippet(kind: .main, document: "X.md", line: 23, code: ["print(\"top level\")"]),
            ])
        // A fragment's imports go to the top of its file; every line keeps its document line.
        let fragment = DocSnippet(kind: .fragment, document: "X.md", line: 9, code: ["import LockstepCore", "print(1)"])
        #expect(
            DocSnippetPackage.source(of: fragment, at: "/r/X.md") == """
                #sourceLocation(file: "/r/X.md", line: 9)
                import LockstepCore
                #sourceLocation()
                func snippet_L9() async throws {
                #sourceLocation(file: "/r/X.md", line: 9)

                print(1)
                #sourceLocation()
                }

                """)
    }

    @Test func aBrokenConventionIsReportedAtItsLine() {
        let cases: [(String, String)] = [
            ("a\n<!-- snippet: fragmnt -->\n```swift\nx\n```", "X.md:2: unknown snippet kind 'fragmnt'"),
            ("<!-- snippet: skip -->\n```swift\nx\n```", "X.md:1: snippet: skip needs a reason"),
            ("<!-- snippet: fragment -->\nsome prose\n```swift\nx\n```", "X.md:1: snippet marker not followed by a ```swift block"),
            ("<!-- snippet: fragment -->\n```sh\nls\n```", "X.md:1: snippet marker not followed by a ```swift block"),
            ("```swift\nx", "X.md:1: code block never closed"),
        ]
        for (markdown, message) in cases {
            #expect {
                try DocSnippet.extract(from: markdown, document: "X.md")
            } throws: { error in
                "\(error)".hasPrefix(message)
            }
        }
    }

    /// The requirements of a protocol declaration, one per line, without comments, `public` or
    /// extra spaces, in order.
    static func requirements(of declaration: String, in lines: [String]) -> [String] {
        let cleaned = lines.map { line -> String in
            let code = line.range(of: "//").map { String(line[..<$0.lowerBound]) } ?? line
            return code.split(separator: " ").filter { $0 != "public" }.joined(separator: " ")
        }
        guard let start = cleaned.firstIndex(of: declaration) else { return [] }
        return Array(cleaned[(start + 1)...].prefix { $0 != "}" }.filter { !$0.isEmpty })
    }

    /// docs/CLIENT.md's listing of `DeterministicSimulation` is the protocol, requirement for
    /// requirement: written from the docs, a type conforms (the listing once left out the id and
    /// version).
    @Test func theClientGuidesProtocolListingIsTheProtocolInLockstepCore() throws {
        let listing = try #require(try Self.snippets().first { $0.document == "docs/CLIENT.md" && $0.code.first == "public protocol DeterministicSimulation {" })
        let source = try String(contentsOfFile: PackageBuild.root + "/Sources/LockstepCore/DeterministicSimulation.swift", encoding: .utf8)
        let declared = Self.requirements(of: "protocol DeterministicSimulation {", in: source.split(separator: "\n").map(String.init))
        #expect(declared.contains("static var simulationID: String { get }") && declared.contains("static var simulationVersion: UInt16 { get }"))
        #expect(Self.requirements(of: "protocol DeterministicSimulation {", in: listing.code) == declared)
    }

    /// A manifest snippet is a manifest the package manager reads, and names only products this
    /// package has (a renamed product would leave the docs telling readers to depend on nothing).
    @Test func everyManifestSnippetIsAManifestAndNamesRealProducts() throws {
        let root = PackageBuild.root
        let manifests = try Self.snippets().filter { $0.kind == .manifest }
        #expect(manifests.count >= 2)
        let products = DocSnippetPackage.products(ofManifest: try String(contentsOfFile: root + "/Package.swift", encoding: .utf8))
        for snippet in manifests {
            for product in DocSnippetPackage.lockstepProducts(in: snippet.code) {
                #expect(products.contains(product), "\(snippet.document):\(snippet.line): no library product \(product)")
            }
            let folder = root + "/.build-snippets/manifests/\(DocSnippetPackage.moduleName(snippet.document))_L\(snippet.line)"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try Data(DocSnippetPackage.manifest(of: snippet, at: root + "/" + snippet.document).utf8)
                .write(to: URL(fileURLWithPath: folder + "/Package.swift"))
            let dump = try PackageBuild.run(["swift", "package", "--package-path", folder, "--scratch-path", folder + "/.build", "dump-package"])
            #expect(dump.status == 0, "\(snippet.document):\(snippet.line): \(dump.output.suffix(2000))")
        }
    }

    @Test func everySwiftSnippetInTheDocsCompiles() throws {
        let root = PackageBuild.root
        let snippets = try Self.snippets()
        #expect(snippets.count >= 10)
        let skipped = snippets.filter { if case .skip = $0.kind { true } else { false } }
        // Kept rare: a snippet that cannot compile says why, and there are few.
        #expect(skipped.count <= 2, "\(skipped.map { "\($0.document):\($0.line)" })")

        let manifest = try String(contentsOfFile: root + "/Package.swift", encoding: .utf8)
        let example = root + "/docs/examples/studio-server/Sources/CoinRace"
        var coinRace: [String: String] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: example) where name.hasSuffix(".swift") {
            coinRace[name] = try String(contentsOfFile: example + "/" + name, encoding: .utf8)
        }
        let package = DocSnippetPackage(
            root: root, products: DocSnippetPackage.products(ofManifest: manifest), snippets: snippets, coinRace: coinRace)
        let folder = root + "/.build-snippets/package"
        try package.write(to: folder)
        let build = try PackageBuild.build(package: folder, scratch: root + "/.build-snippets/scratch") { output in
            output.contains(".md:") && output.contains(": error: ")
        }
        // Each error at its document's line, once: "docs/CLIENT.md:80:5: error: …" (the compiler
        // prints each twice: the diagnostic, then the source excerpt's summary).
        var errors: [String] = []
        for line in build.output.split(separator: "\n") where line.hasPrefix(root + "/") && line.contains(".md:") && line.contains(": error: ") {
            let error = String(line.dropFirst(root.count + 1))
            if !errors.contains(error) { errors.append(error) }
        }
        #expect(errors.isEmpty, "snippets that do not compile:\n\(errors.joined(separator: "\n"))")
        if errors.isEmpty { #expect(build.status == 0, "\(build.output.suffix(3000))") }
    }
}
