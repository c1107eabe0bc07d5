// swift-tools-version:6.0
// Lockstep's fuzz targets (libFuzzer), kept out of the main package: see docs/FUZZING.md.
//
// Build and run them with `tools/fuzz.sh [SECONDS]`. Each target is one executable whose only entry
// point is `LLVMFuzzerTestOneInput`; it is built with
//   swift build -c release -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library -Xswiftc -enable-testing
// (`-enable-testing` lets a target reach a parser that is internal to its module with `@testable import`).
import PackageDescription

let fuzzTargets: [(name: String, dependencies: [Target.Dependency])] = [
    ("FuzzHTTP", [.product(name: "LockstepHTTP", package: "Lockstep"), .product(name: "LockstepWebSocket", package: "Lockstep")]),
    ("FuzzWebSocket", [.product(name: "LockstepWebSocket", package: "Lockstep")]),
    ("FuzzProtocol", [.product(name: "LockstepProtocol", package: "Lockstep"), .product(name: "LockstepCore", package: "Lockstep")]),
    ("FuzzJoinToken", [.product(name: "LockstepBattleServer", package: "Lockstep"), .product(name: "LockstepProtocol", package: "Lockstep")]),
    (
        "FuzzReplay",
        [
            .product(name: "LockstepReplay", package: "Lockstep"), .product(name: "LockstepSimulation", package: "Lockstep"),
            .product(name: "LockstepCore", package: "Lockstep"),
        ]
    ),
    (
        "FuzzAdminJSON",
        [
            .product(name: "LockstepBattleServer", package: "Lockstep"), .product(name: "LockstepSimulation", package: "Lockstep"),
            .product(name: "LockstepCore", package: "Lockstep"),
        ]
    ),
    ("FuzzConfigFile", [.product(name: "LockstepCLI", package: "Lockstep")]),
]

let package = Package(
    name: "LockstepFuzz",
    dependencies: [.package(name: "Lockstep", path: "../..")],
    targets: [.target(name: "CFuzzerDriver"), .target(name: "FuzzSupport", dependencies: ["CFuzzerDriver"])]
        + fuzzTargets.map { .executableTarget(name: $0.name, dependencies: $0.dependencies + ["FuzzSupport"]) },
    swiftLanguageModes: [.v6]
)
