// swift-tools-version:6.0
// A studio's own battle server: its game (CoinRace), registered with Lockstep, shipped as its own
// executable. See docs/EMBEDDING.md. In a studio's repository the dependency would be
// `.package(url: "https://github.com/…/lockstep", from: "…")`; here it is the repository itself.
import PackageDescription

let package = Package(
    name: "StudioServer",
    dependencies: [
        .package(name: "Lockstep", path: "../../.."),
    ],
    targets: [
        // The game: deterministic, no I/O, depends on LockstepCore only (so the game client can share it).
        .target(name: "CoinRace", dependencies: [.product(name: "LockstepCore", package: "Lockstep")]),
        // The server executable: the `lockstep` command with the studio's game registered.
        .executableTarget(
            name: "studio-server",
            dependencies: [
                "CoinRace",
                .product(name: "LockstepCore", package: "Lockstep"),
                .product(name: "LockstepCLI", package: "Lockstep"),
            ]),
    ],
    swiftLanguageModes: [.v6]
)
