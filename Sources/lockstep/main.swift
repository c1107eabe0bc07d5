import LockstepCLI

#if canImport(Glibc)
import Glibc
#endif

let environment = ProcessEnvironment.current()
let status = CommandLineTool.main(Array(CommandLine.arguments.dropFirst()), environment: environment, output: StandardOutput())
exit(status)
