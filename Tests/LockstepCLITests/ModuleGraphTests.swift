import Foundation
import Testing

/// The module graph points one way (the comment at the top of Package.swift): read from the
/// package manager's own description of Package.swift, so it cannot drift.
@Suite struct ModuleGraphTests {
    static var packageRoot: String {
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)  // Tests/LockstepCLITests/ModuleGraphTests.swift
        return parts.joined(separator: "/")
    }

    /// Target name → the targets it depends on directly, from `swift package dump-package`.
    static func targetDependencies() throws -> [String: [String]] {
        let scratch = NSTemporaryDirectory() + "lockstep-graph-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        // Its own scratch path: the test run holds the lock on the package's `.build`.
        process.arguments = [
            "swift", "package", "--package-path", packageRoot, "--scratch-path", scratch,
            "dump-package",
        ]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let targets = try #require(json["targets"] as? [[String: Any]])
        var graph: [String: [String]] = [:]
        for target in targets {
            guard let name = target["name"] as? String else { continue }
            let dependencies = (target["dependencies"] as? [[String: Any]] ?? []).compactMap { dependency in
                ((dependency["byName"] ?? dependency["target"]) as? [Any])?.first as? String
            }
            graph[name] = dependencies
        }
        return graph
    }

    static func closure(of target: String, in graph: [String: [String]]) -> Set<String> {
        var seen: Set<String> = []
        var stack = graph[target] ?? []
        while let next = stack.popLast() {
            if seen.insert(next).inserted { stack += graph[next] ?? [] }
        }
        return seen
    }

    @Test func dependenciesPointOneWay() throws {
        let graph = try Self.targetDependencies()
        #expect(graph["LockstepClient"] != nil && graph["lockstep"] != nil)
        // A client is only a client.
        for module in ["LockstepClient", "LockstepClientEventLoop", "LockstepWebSocketClient"] {
            let reached = Self.closure(of: module, in: graph)
            #expect(reached.isDisjoint(with: ["LockstepServer", "LockstepBattleServer", "LockstepRoom", "LockstepSimulation"]), "\(module): \(reached.sorted())")
        }
        // The portable client needs no epoll: neither the event loop nor its system headers.
        let portable = Self.closure(of: "LockstepClient", in: graph)
        #expect(portable.isDisjoint(with: ["CLockstepSystem", "LockstepEventLoop", "LockstepWebSocketClient"]), "\(portable.sorted())")
        // No game below the executable's registry, and no test support in the product.
        for module in ["LockstepRoom", "LockstepReplay", "LockstepServer", "LockstepBattleServer", "LockstepProtocol"] {
            #expect(!Self.closure(of: module, in: graph).contains("LockstepSimulation"), "\(module)")
        }
        for module in ["lockstep", "LockstepCLI", "LockstepBench", "LockstepBots"] {
            #expect(!Self.closure(of: module, in: graph).contains("LockstepTesting"), "\(module)")
        }
        // The test-only game is a game from outside: no module of the package reaches it.
        for (module, _) in graph where !module.hasSuffix("Tests") {
            #expect(!Self.closure(of: module, in: graph).contains("TugOfWarGame"), "\(module)")
        }
        #expect(graph["TugOfWarGame"] == ["LockstepCore"])
        // The pure core depends on nothing.
        #expect(graph["LockstepCore"] == [])
    }
}
