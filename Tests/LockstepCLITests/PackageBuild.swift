import Foundation

/// Builds a package beside this one (docs/examples/studio-server, the docs' snippets) the way the
/// tests need: one job at low priority, in its own scratch folder, afresh once before calling it
/// a failure.
enum PackageBuild {
    /// This repository's root.
    static var root: String {
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)  // Tests/LockstepCLITests/PackageBuild.swift
        return parts.joined(separator: "/")
    }

    /// Runs `arguments` and returns the exit status and everything it printed.
    static func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// `swift build` of the package at `package` into `scratch`; the status and output of the
    /// last attempt. `isFinal` says which failed output is not worth a fresh build (a compile
    /// error of the package's own sources would only come back, after a much longer build).
    static func build(package: String, scratch: String, isFinal: (String) -> Bool = { _ in false }) throws
        -> (status: Int32, output: String)
    {
        // One job at low priority: the rest of the suite (timing-sensitive end-to-end tests among
        // it) runs beside this build on a 2-core machine.
        let command = ["nice", "-n", "10", "swift", "build", "-j", "1", "--package-path", package, "--scratch-path", scratch]
        var build = try run(command)
        if build.status != 0 && !isFinal(build.output) {
            // The package manager does not notice files added to a path dependency since the last
            // build of this scratch folder: build it afresh once before calling it a failure.
            try? FileManager.default.removeItem(atPath: scratch)
            build = try run(command)
        }
        return build
    }
}
