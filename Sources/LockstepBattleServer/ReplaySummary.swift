import LockstepReplay

/// What `GET /v1/replays` tells of one finished match's replay: read from its header and footer.
struct ReplaySummary: Sendable {
    /// The replay's id: its file name without `.lsr` (the room id it was recorded under).
    var id: String
    var header: ReplayHeader
    var ticks: UInt32
    var finalHash: UInt64
    var bytes: Int
    /// The file's last change, Unix seconds (when the match ended).
    var endedUnix: Int

    /// The JSON object of docs/PROTOCOL.md ("Replays").
    var json: [String: Any] {
        [
            "id": id, "roomID": header.roomID, "simulation": header.simulationID,
            "simulationVersion": Int(header.simulationVersion), "players": header.players, "ticks": Int(ticks),
            "tickRate": Int(header.tickRate), "finalHash": hex64(finalHash), "bytes": bytes,
            "recordedAt": Int(header.recordedAtUnixMillis / 1000), "endedAt": endedUnix,
            "seed": String(header.seed),
        ]
    }

    /// The summary of a complete replay from its first bytes (`head`: the preamble and header
    /// record, a few KiB) and its footer record, or `nil` when they do not read as such.
    init?(id: String, head: [UInt8], footer: [UInt8], bytes: Int, endedUnix: Int) {
        guard let replay = try? ReplayReader.read(head, mode: .recover), footer.count == 25 else { return nil }
        func integer(_ range: Range<Int>) -> UInt64 {
            range.reversed().reduce(UInt64(0)) { $0 << 8 | UInt64(footer[$1]) }
        }
        self.id = id
        header = replay.header
        ticks = UInt32(integer(5..<9))
        finalHash = integer(9..<17)
        self.bytes = bytes
        self.endedUnix = endedUnix
    }
}
