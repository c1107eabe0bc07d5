import LockstepCore
import Testing
@testable import LockstepRoom

@Suite struct DesyncArbiterTests {
    @Test func theMinorityOfAMajorityDecisionDivergesAtTheFirstCheckpoint() {
        var arbiter = DesyncArbiter(slotCount: 4, interval: 10)
        // Tick 9 agrees; at tick 19 slot 2 differs.
        var agreed: [DesyncVerdict] = []
        for slot in 0..<4 { agreed += arbiter.report(slot: PlayerSlot(UInt8(slot)), tick: Tick(9), hash: 111) }
        #expect(agreed == [DesyncVerdict(tick: Tick(9), agreedHash: 111, diverging: [])])
        var verdicts: [DesyncVerdict] = []
        for slot in 0..<4 { verdicts += arbiter.report(slot: PlayerSlot(UInt8(slot)), tick: Tick(19), hash: slot == 2 ? 999 : 222) }
        #expect(verdicts == [DesyncVerdict(tick: Tick(19), agreedHash: 222, diverging: [(PlayerSlot(2), 999)])])
        // Later reports from slot 2 are ignored: it is reported once, at its first divergent tick.
        verdicts = []
        for slot in 0..<4 { verdicts += arbiter.report(slot: PlayerSlot(UInt8(slot)), tick: Tick(29), hash: slot == 2 ? 5 : 333) }
        #expect(verdicts == [DesyncVerdict(tick: Tick(29), agreedHash: 333, diverging: [])])
    }

    @Test func theServerHashDecidesAsSoonAsAReportArrives() {
        var arbiter = DesyncArbiter(slotCount: 2, interval: 5)
        #expect(arbiter.serverHash(tick: Tick(4), hash: 42).isEmpty)
        #expect(arbiter.report(slot: PlayerSlot(0), tick: Tick(4), hash: 42).isEmpty)
        #expect(arbiter.report(slot: PlayerSlot(1), tick: Tick(4), hash: 43) == [DesyncVerdict(tick: Tick(4), agreedHash: 42, diverging: [(PlayerSlot(1), 43)])])
    }

    @Test func withoutAStrictMajorityTheVerdictIsUndecidedAndNobodyIsMarked() {
        var arbiter = DesyncArbiter(slotCount: 2, interval: 1)
        _ = arbiter.report(slot: PlayerSlot(0), tick: Tick(0), hash: 1)
        let verdicts = arbiter.report(slot: PlayerSlot(1), tick: Tick(0), hash: 2)
        #expect(verdicts.count == 1 && verdicts[0].agreedHash == nil && verdicts[0].diverging.count == 2)
        #expect(arbiter.diverged == 0)
    }

    @Test func aSlowReporterIsDecidedWithoutWhenTheCheckpointLeavesTheWindow() {
        var arbiter = DesyncArbiter(slotCount: 3, interval: 1, window: 2)
        _ = arbiter.report(slot: PlayerSlot(0), tick: Tick(0), hash: 7)
        _ = arbiter.report(slot: PlayerSlot(1), tick: Tick(0), hash: 7)
        _ = arbiter.report(slot: PlayerSlot(2), tick: Tick(1), hash: 1)
        // Tick 2 reuses tick 0's entry: tick 0 is decided with slots 0 and 1 only (agreeing).
        #expect(arbiter.report(slot: PlayerSlot(0), tick: Tick(2), hash: 3) == [DesyncVerdict(tick: Tick(0), agreedHash: 7, diverging: [])])
        #expect(arbiter.report(slot: PlayerSlot(2), tick: Tick(0), hash: 99).isEmpty)  // too late: ignored
    }

    @Test func reportsForNonCheckpointTicksOrUnknownSlotsAreIgnored() {
        var arbiter = DesyncArbiter(slotCount: 2, interval: 10)
        #expect(arbiter.report(slot: PlayerSlot(0), tick: Tick(3), hash: 1).isEmpty)
        #expect(arbiter.report(slot: PlayerSlot(5), tick: Tick(9), hash: 1).isEmpty)
    }
}
