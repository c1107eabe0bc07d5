// The `lockstep serve --config FILE` parser: a JSON object of settings.
//
// Input: the file's contents.
// Property: never a crash (a setting of the wrong type is a usage error).
import Foundation
import FuzzSupport
@testable import LockstepCLI

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfigFile(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let input = FuzzInput(start, count)
    _ = try? ConfigFile.parse(Data(input.rest), path: "fuzz.json")
    return 0
}

/// The program's entry (SwiftPM's renamed `main`): libFuzzer's driver on `fuzzConfigFile`.
@_cdecl("FuzzConfigFile_main")
public func fuzzConfigFileMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzzConfigFile)
}
