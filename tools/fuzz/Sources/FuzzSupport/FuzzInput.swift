import CFuzzerDriver

/// Reads a fuzzer's input as a few control bytes followed by the data under test.
public struct FuzzInput {
    /// The whole input.
    public let bytes: UnsafeRawBufferPointer
    /// The next unread byte.
    public private(set) var position = 0

    /// Wraps the input libFuzzer passed (`start` may be nil for an empty input).
    public init(_ start: UnsafePointer<UInt8>?, _ count: Int) {
        bytes = UnsafeRawBufferPointer(start: start, count: start == nil ? 0 : count)
    }

    /// The next byte, or 0 when the input is used up.
    public mutating func byte() -> UInt8 {
        guard position < bytes.count else { return 0 }
        defer { position += 1 }
        return bytes[position]
    }

    /// Everything not read yet.
    public var rest: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: bytes[position...]) }

    /// A read size as a socket delivers them: from one byte to a full 64 KiB buffer.
    public mutating func chunkSize() -> Int {
        let sizes = [1, 2, 3, 7, 16, 64, 200, 1024, 4096, 16384, 65536, Int.max]
        return sizes[Int(byte()) % sizes.count]
    }
}

/// Stops the process with `message` when `condition` is false: a broken property is a finding, and
/// libFuzzer keeps the input that broke it.
public func fuzzExpect(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
    if !condition() { fatalError("fuzz property broken: \(message())") }
}

/// `bytes` cut into consecutive pieces of `size` bytes (the last may be shorter).
public func chunks(_ bytes: UnsafeRawBufferPointer, size: Int) -> [UnsafeRawBufferPointer] {
    var pieces: [UnsafeRawBufferPointer] = []
    var start = 0
    while start < bytes.count {
        let end = start + min(size, bytes.count - start)
        pieces.append(UnsafeRawBufferPointer(rebasing: bytes[start..<end]))
        start = end
    }
    return pieces
}

/// The signature of `LLVMFuzzerTestOneInput`.
public typealias FuzzTarget = @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt

/// Runs libFuzzer on `target` with the program's arguments.
///
/// SwiftPM links an executable target with `main` renamed to `<Module>_main`, which would hide
/// libFuzzer's own `main`; each target defines that symbol and calls this.
public func runFuzzer(
    _ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?, _ target: FuzzTarget
) -> CInt {
    var count = argc
    var arguments = argv
    return LLVMFuzzerRunDriver(&count, &arguments, target)
}
