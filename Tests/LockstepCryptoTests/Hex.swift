/// Test helpers: hex text to bytes and back.
func hex(_ bytes: [UInt8]) -> String {
    bytes.map { byte in
        let digits = Array("0123456789abcdef")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 15)]])
    }.joined()
}

func bytes(hex text: String) -> [UInt8] {
    let digits = Array(text.utf8)
    var result: [UInt8] = []
    var index = 0
    while index + 1 < digits.count {
        let pair = String(decoding: digits[index...index + 1], as: UTF8.self)
        result.append(UInt8(pair, radix: 16) ?? 0)
        index += 2
    }
    return result
}
