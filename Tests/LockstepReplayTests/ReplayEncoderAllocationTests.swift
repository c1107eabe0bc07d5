import CAllocationCounter
import LockstepCore
import Testing
@testable import LockstepReplay

@Suite struct ReplayEncoderAllocationTests {
    /// Appending a frame per tick to the encoder allocates nothing once its buffers have grown
    /// (flushes, which frame a record, are every N ticks and are not counted here).
    @Test func appendingFramesAllocatesNothingOnceWarm() throws {
        let header = ReplayHeader(simulationID: "x", simulationVersion: 1, tickRate: 30, inputDelay: 0, seed: 0, checkpointInterval: 0, roomID: "r", players: ["a", "b", "c", "d"])
        var encoder = ReplayEncoder(header: header)
        var frame = ConfirmedFrame(tick: .zero, reservingSlots: 4, payloadBytes: 64)
        let payloads: [[UInt8]] = [[1, 2, 3, 4, 5], [9, 9, 9, 9, 9], [], [1, 2, 3, 4, 6]]
        var tick = Tick.zero
        func run(_ count: Int) throws {
            for index in 0..<count {
                frame.reset(tick: tick)
                for slot in 0..<4 { frame.append(status: .onTime, payload: payloads[(index + slot) % 4]) }
                try encoder.append(frame)
                tick = tick.next
            }
        }
        try run(2000)
        encoder.flush()
        _ = encoder.takeOutput()
        try run(1000)  // regrow to the steady-state size after the flush
        encoder.flush()
        encoder.drainOutput { _ in }
        let before = lockstep_thread_allocations()
        try run(1000)
        #expect(lockstep_thread_allocations() - before == 0)
    }
}
