// The admin API's `POST /v1/rooms` body: JSON parsed and validated into room settings.
//
// Input: the request body (at most the parser's 1 MiB body limit in the server; any size here).
// Properties: never a crash, and no allocation sized by a number in the body before it is checked.
import FuzzSupport
import LockstepCore
import LockstepSimulation
@testable import LockstepBattleServer

let defaults = RoomDefaults()
let simulations = SimulationRegistry.reference

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzAdminJSON(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let input = FuzzInput(start, count)
    let body = Array(input.rest)
    if let request = try? RoomRequest(json: body, defaults: defaults, roomID: "fuzz", phaseOffsetNanos: 0, simulations: simulations) {
        fuzzExpect(request.playerIDs.count == request.settings.players, "\(request.playerIDs.count) player ids for \(request.settings.players) players")
    }
    return 0
}

/// The program's entry (SwiftPM's renamed `main`): libFuzzer's driver on `fuzzAdminJSON`.
@_cdecl("FuzzAdminJSON_main")
public func fuzzAdminJSONMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzzAdminJSON)
}
