import LockstepCore

/// The arbiter's judgement on one checkpoint tick.
public struct DesyncVerdict: Equatable, Sendable {
    /// The checkpoint tick (the state after this tick's frame).
    public var tick: Tick
    /// The hash the room agrees on: the server's own, or the strict majority's; `nil` when undecided.
    public var agreedHash: UInt64?
    /// Slots whose hash differs from the agreed one (or, when undecided, every reporter), with their hash.
    public var diverging: [(slot: PlayerSlot, hash: UInt64)]
    /// Whether the decision came from a strict majority or the server (`false`: no majority).
    public var isDecided: Bool { agreedHash != nil }

    public static func == (lhs: DesyncVerdict, rhs: DesyncVerdict) -> Bool {
        lhs.tick == rhs.tick && lhs.agreedHash == rhs.agreedHash
            && lhs.diverging.map(\.slot) == rhs.diverging.map(\.slot) && lhs.diverging.map(\.hash) == rhs.diverging.map(\.hash)
    }
}

/// A majority decision is returned even when everyone agrees (with no diverging slots), so the
/// room can record the agreed hash as a checkpoint; server-hash judgements return only divergences.
///
/// Compares the state hashes clients report every `interval` ticks and finds who diverged first.
///
/// Checkpoint ticks are those after which `(tick + 1) % interval == 0` (the replay convention).
/// With a server hash (the room re-simulates a built-in simulation) every report is judged against
/// it as soon as both are known. Otherwise a checkpoint is decided when every expected slot has
/// reported, or when it falls out of the window of `window` checkpoints: the hash of a strict
/// majority of reporters is agreed, and the others diverge. Without a strict majority the verdict
/// is undecided and lists every reporter. A slot is reported diverging once, at its first
/// divergent checkpoint; later reports from it are ignored.
public struct DesyncArbiter: Sendable {
    /// Ticks between checkpoints.
    public let interval: Int
    /// How many checkpoints are kept open at once.
    public let window: Int
    private let slotCount: Int
    private var ticks: [Tick?]
    private var hashes: [UInt64]
    private var reported: [UInt64]
    private var judged: [UInt64]
    private var serverHashes: [UInt64?]
    private var decided: [Bool]
    /// Slots already found diverging (bit per slot).
    public private(set) var diverged: UInt64 = 0
    /// Slots whose reports are awaited before a majority decision (bit per slot).
    public var expected: UInt64

    public init(slotCount: Int, interval: Int, window: Int = 8) {
        self.slotCount = slotCount
        self.interval = max(1, interval)
        self.window = max(1, window)
        ticks = Array(repeating: nil, count: self.window)
        hashes = Array(repeating: 0, count: self.window * slotCount)
        reported = Array(repeating: 0, count: self.window)
        judged = Array(repeating: 0, count: self.window)
        serverHashes = Array(repeating: nil, count: self.window)
        decided = Array(repeating: false, count: self.window)
        expected = slotCount >= 64 ? .max : (1 << UInt64(slotCount)) - 1
    }

    /// Whether `tick` is a checkpoint tick.
    public func isCheckpoint(_ tick: Tick) -> Bool {
        (Int(tick.rawValue) + 1) % interval == 0
    }

    /// Records a client's hash. Returns verdicts that became final (possibly none).
    public mutating func report(slot: PlayerSlot, tick: Tick, hash: UInt64) -> [DesyncVerdict] {
        guard slot.index < slotCount, isCheckpoint(tick), diverged & bit(slot) == 0 else { return [] }
        var verdicts: [DesyncVerdict] = []
        guard let entry = entry(for: tick, closingInto: &verdicts) else { return verdicts }
        guard reported[entry] & bit(slot) == 0 else { return verdicts }
        hashes[entry * slotCount + slot.index] = hash
        reported[entry] |= bit(slot)
        if let verdict = judge(entry, force: false) { verdicts.append(verdict) }
        return verdicts
    }

    /// Records the server's own hash for a checkpoint tick (authoritative).
    public mutating func serverHash(tick: Tick, hash: UInt64) -> [DesyncVerdict] {
        guard isCheckpoint(tick) else { return [] }
        var verdicts: [DesyncVerdict] = []
        guard let entry = entry(for: tick, closingInto: &verdicts) else { return verdicts }
        serverHashes[entry] = hash
        if let verdict = judge(entry, force: false) { verdicts.append(verdict) }
        return verdicts
    }

    /// Decides every open checkpoint now (at match end).
    public mutating func closeAll() -> [DesyncVerdict] {
        var verdicts: [DesyncVerdict] = []
        let order = (0..<window).filter { ticks[$0] != nil && !decided[$0] }.sorted { (ticks[$0] ?? .zero) < (ticks[$1] ?? .zero) }
        for entry in order {
            if let verdict = judge(entry, force: true) { verdicts.append(verdict) }
        }
        return verdicts
    }

    private func bit(_ slot: PlayerSlot) -> UInt64 { 1 << UInt64(slot.index) }

    /// The window entry for `tick`, forcing a decision on the older checkpoint it replaces.
    private mutating func entry(for tick: Tick, closingInto verdicts: inout [DesyncVerdict]) -> Int? {
        let entry = (Int(tick.rawValue) / interval) % window
        if let existing = ticks[entry] {
            if existing == tick { return entry }
            if existing > tick { return nil }  // too old: its slot was reused
            if !decided[entry], let verdict = judge(entry, force: true) { verdicts.append(verdict) }
        }
        ticks[entry] = tick
        reported[entry] = 0
        judged[entry] = 0
        serverHashes[entry] = nil
        decided[entry] = false
        return entry
    }

    private mutating func judge(_ entry: Int, force: Bool) -> DesyncVerdict? {
        guard let tick = ticks[entry], !decided[entry] else { return nil }
        let live = reported[entry] & ~judged[entry] & ~diverged
        if let server = serverHashes[entry] {
            var diverging: [(slot: PlayerSlot, hash: UInt64)] = []
            for slot in 0..<slotCount where live & (1 << UInt64(slot)) != 0 {
                let hash = hashes[entry * slotCount + slot]
                if hash != server {
                    diverging.append((PlayerSlot(UInt8(slot)), hash))
                    diverged |= 1 << UInt64(slot)
                }
            }
            judged[entry] |= live
            if force || (reported[entry] | diverged) & expected == expected { decided[entry] = true }
            return diverging.isEmpty ? nil : DesyncVerdict(tick: tick, agreedHash: server, diverging: diverging)
        }
        let waiting = expected & ~diverged & ~reported[entry]
        guard force || waiting == 0 else { return nil }
        decided[entry] = true
        let reporters = (0..<slotCount).filter { reported[entry] & (1 << UInt64($0)) != 0 && diverged & (1 << UInt64($0)) == 0 }
        guard !reporters.isEmpty else { return nil }
        // The strict majority's hash, if any (counting in slot order: no hashing of hashes).
        var agreed: UInt64?
        for candidate in reporters {
            let value = hashes[entry * slotCount + candidate]
            let votes = reporters.filter { hashes[entry * slotCount + $0] == value }.count
            if votes * 2 > reporters.count {
                agreed = value
                break
            }
        }
        var diverging: [(slot: PlayerSlot, hash: UInt64)] = []
        for slot in reporters {
            let hash = hashes[entry * slotCount + slot]
            if agreed == nil || hash != agreed {
                diverging.append((PlayerSlot(UInt8(slot)), hash))
                if agreed != nil { diverged |= 1 << UInt64(slot) }
            }
        }
        return DesyncVerdict(tick: tick, agreedHash: agreed, diverging: diverging)
    }
}
