/// Comparisons whose running time does not depend on where the inputs differ.
public enum ConstantTime {
    /// Whether `lhs` and `rhs` hold the same bytes, examining every byte of equal-length inputs.
    ///
    /// Use it to check MACs and tokens, so an attacker cannot learn a correct prefix from timing.
    /// Inputs of different lengths return `false` at once: lengths are not secret here.
    public static func equals(_ lhs: some Collection<UInt8>, _ rhs: some Collection<UInt8>) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for (left, right) in zip(lhs, rhs) { difference |= left ^ right }
        return difference == 0
    }
}
