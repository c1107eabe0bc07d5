import Testing
@testable import LockstepCore

@Suite struct InputCollectorTests {
    static func payload(tick: Int, slot: Int) -> [UInt8] {
        // Distinct per (tick, slot), variable length 0...8.
        let length = (tick + slot) % 9
        return (0..<length).map { UInt8(truncatingIfNeeded: tick &* 31 &+ slot &* 7 &+ $0) }
    }

    /// Seeded random arrival orders and timings: every frame holds exactly what was sent for its
    /// tick with status on-time, or the documented filler (last input repeated) marked missing.
    @Test(arguments: [UInt64(1), 2, 3, 42, 1234])
    func framesHoldExactlyWhatWasSentOrTheDocumentedFiller(seed: UInt64) throws {
        var random = SeededRandom(seed: seed)
        let slots = 1 + Int(random.next(below: 8))
        let config = try InputCollectorConfiguration(slotCount: slots, leadWindow: 16, latePolicy: .drop, missingPolicy: .repeatLast)
        var collector = InputCollector(configuration: config)
        let ticks = 400
        // Each (tick, slot) input arrives at a random offset from the tick's deadline: -12...+2 ticks.
        // Offsets > 0 are late; some inputs are never sent.
        var arrivals: [(at: Int, tick: Int, slot: Int)] = []
        var sentOnTime = Set<Int>()
        for tick in 0..<ticks {
            for slot in 0..<slots where !random.chance(1, in: 10) {
                let offset = random.next(in: -12...2)
                arrivals.append((tick + offset, tick, slot))
                // Arrivals at offset <= 0 happen before the confirmation at the end of that tick's step.
                if offset <= 0 && offset > -16 { sentOnTime.insert(tick * 64 + slot) }
            }
        }
        // Shuffle, then stable-sort by arrival time: random order within the same instant.
        for i in stride(from: arrivals.count - 1, to: 0, by: -1) {
            arrivals.swapAt(i, Int(random.next(below: UInt64(i + 1))))
        }
        arrivals.sort { $0.at < $1.at }
        var last = Array(repeating: [UInt8](), count: slots)
        var next = 0
        var frame = ConfirmedFrame(tick: .zero)
        for now in -12..<ticks {
            while next < arrivals.count && arrivals[next].at <= now {
                let arrival = arrivals[next]
                next += 1
                let input = InputFrame(tick: Tick(UInt32(arrival.tick)), slot: PlayerSlot(UInt8(arrival.slot)), payload: Self.payload(tick: arrival.tick, slot: arrival.slot))
                do {
                    try collector.submit(input)
                    #expect(arrival.tick >= now || arrival.tick >= Int(collector.nextTick.rawValue))
                } catch {
                    #expect(error == .late(tick: input.tick, nextTick: collector.nextTick))
                }
            }
            guard now >= 0 else { continue }
            collector.confirm(into: &frame)
            #expect(frame.tick == Tick(UInt32(now)))
            #expect(frame.slotCount == slots)
            for slot in 0..<slots {
                if sentOnTime.contains(now * 64 + slot) {
                    #expect(frame.status(of: slot) == .onTime)
                    #expect(Array(frame.payload(of: slot)) == Self.payload(tick: now, slot: slot))
                } else {
                    #expect(frame.status(of: slot) == .missingFilled)
                    #expect(Array(frame.payload(of: slot)) == last[slot])
                }
                last[slot] = Array(frame.payload(of: slot))
            }
        }
        #expect(collector.counters.framesConfirmed == UInt64(ticks))
        #expect(collector.counters.confirmedOnTime == UInt64(sentOnTime.count))
    }

    @Test func duplicatesAndTicksBeyondTheLeadWindowAreRejectedWithTheirReason() throws {
        var collector = InputCollector(configuration: try InputCollectorConfiguration(slotCount: 2, leadWindow: 4))
        try collector.submit(InputFrame(tick: Tick(1), slot: PlayerSlot(0), payload: [1]))
        #expect(throws: InputRejection.duplicate(Tick(1))) {
            try collector.submit(InputFrame(tick: Tick(1), slot: PlayerSlot(0), payload: [2]))
        }
        #expect(throws: InputRejection.tooFarAhead(tick: Tick(4), limit: Tick(4))) {
            try collector.submit(InputFrame(tick: Tick(4), slot: PlayerSlot(0), payload: []))
        }
        #expect(throws: InputRejection.invalidSlot(PlayerSlot(2))) {
            try collector.submit(InputFrame(tick: Tick(0), slot: PlayerSlot(2), payload: []))
        }
        #expect(throws: InputRejection.payloadTooLarge(size: 33, limit: 32)) {
            try collector.submit(InputFrame(tick: Tick(0), slot: PlayerSlot(1), payload: Array(repeating: 0, count: 33)))
        }
        #expect(collector.counters.rejectedDuplicate == 1)
        #expect(collector.counters.rejectedTooFarAhead == 1)
        #expect(collector.counters.rejectedInvalidSlot == 1)
        #expect(collector.counters.rejectedPayloadTooLarge == 1)
    }

    @Test func lateInputUnderNextOpenTickIsMovedAndMarkedAndOnTimeInputSupersedesIt() throws {
        let config = try InputCollectorConfiguration(slotCount: 1, leadWindow: 8, latePolicy: .nextOpenTick, missingPolicy: .neutral)
        var collector = InputCollector(configuration: config)
        _ = collector.confirm()  // tick 0 confirmed with nothing
        _ = collector.confirm()  // tick 1
        try collector.submit(InputFrame(tick: Tick(2), slot: PlayerSlot(0), payload: [2]))
        let movedTo = try collector.submit(InputFrame(tick: Tick(0), slot: PlayerSlot(0), payload: [9]))
        #expect(movedTo == Tick(3))  // tick 2 was taken, 3 is the next open one
        let frame2 = collector.confirm()
        #expect(frame2.status(of: 0) == .onTime && Array(frame2.payload(of: 0)) == [2])
        // The on-time input for tick 3 arrives after the moved one: it wins.
        try collector.submit(InputFrame(tick: Tick(3), slot: PlayerSlot(0), payload: [3]))
        let frame3 = collector.confirm()
        #expect(frame3.status(of: 0) == .onTime && Array(frame3.payload(of: 0)) == [3])
        #expect(collector.counters.lateMoved == 1 && collector.counters.lateSuperseded == 1)
        // A late input with no superseding input lands marked late-moved.
        try collector.submit(InputFrame(tick: Tick(1), slot: PlayerSlot(0), payload: [7]))
        let frame4 = collector.confirm()
        #expect(frame4.status(of: 0) == .lateMoved && Array(frame4.payload(of: 0)) == [7])
    }

    /// Under `next-open-tick`, an input re-sent for a tick already confirmed (or already moved)
    /// is a duplicate: it is never moved to a later tick, so it is never applied twice.
    @Test func inputResentForAConfirmedTickIsADuplicateNotMovedAgain() throws {
        let config = try InputCollectorConfiguration(slotCount: 2, leadWindow: 8, latePolicy: .nextOpenTick, missingPolicy: .neutral)
        var collector = InputCollector(configuration: config)
        try collector.submit(InputFrame(tick: Tick(0), slot: PlayerSlot(0), payload: [5]))
        _ = collector.confirm()  // tick 0: slot 0 on time, slot 1 missing
        #expect(throws: InputRejection.duplicate(Tick(0))) {
            try collector.submit(InputFrame(tick: Tick(0), slot: PlayerSlot(0), payload: [5]))
        }
        // Slot 1 never sent tick 0: its late input is moved, once; sending it again is a duplicate.
        #expect(try collector.submit(InputFrame(tick: Tick(0), slot: PlayerSlot(1), payload: [6])) == Tick(1))
        #expect(throws: InputRejection.duplicate(Tick(0))) {
            try collector.submit(InputFrame(tick: Tick(0), slot: PlayerSlot(1), payload: [6]))
        }
        let frame1 = collector.confirm()
        #expect(frame1.status(of: 0) == .missingFilled)
        #expect(frame1.status(of: 1) == .lateMoved && Array(frame1.payload(of: 1)) == [6])
        // Still remembered once its moved tick is confirmed, and several ticks later.
        for _ in 0..<5 { _ = collector.confirm() }
        #expect(throws: InputRejection.duplicate(Tick(0))) {
            try collector.submit(InputFrame(tick: Tick(0), slot: PlayerSlot(1), payload: [6]))
        }
        #expect(collector.counters.lateMoved == 1)
        #expect(collector.counters.rejectedDuplicate == 3)
        #expect(collector.counters.accepted == 1)
    }

    @Test func lateInputUnderDropIsRejectedAndCounted() throws {
        var collector = InputCollector(configuration: try InputCollectorConfiguration(slotCount: 1, latePolicy: .drop))
        _ = collector.confirm()
        #expect(throws: InputRejection.late(tick: .zero, nextTick: Tick(1))) {
            try collector.submit(InputFrame(tick: .zero, slot: PlayerSlot(0), payload: []))
        }
        #expect(collector.counters.lateDropped == 1)
    }

    @Test func missingPoliciesFillWithLastInputOrNeutralAndDisconnectedSlotsAreMarked() throws {
        var repeating = InputCollector(configuration: try InputCollectorConfiguration(slotCount: 2, missingPolicy: .repeatLast))
        var neutral = InputCollector(configuration: try InputCollectorConfiguration(slotCount: 2, missingPolicy: .neutral))
        for tick in 0..<2 {
            for slot in 0..<2 where tick == 0 {
                try repeating.submit(InputFrame(tick: Tick(UInt32(tick)), slot: PlayerSlot(UInt8(slot)), payload: [5, UInt8(slot)]))
                try neutral.submit(InputFrame(tick: Tick(UInt32(tick)), slot: PlayerSlot(UInt8(slot)), payload: [5, UInt8(slot)]))
            }
            if tick == 1 {
                repeating.setConnected(PlayerSlot(1), false)
                neutral.setConnected(PlayerSlot(1), false)
            }
            let a = repeating.confirm()
            let b = neutral.confirm()
            if tick == 1 {
                #expect(a.status(of: 0) == .missingFilled && Array(a.payload(of: 0)) == [5, 0])
                #expect(b.status(of: 0) == .missingFilled && b.payload(of: 0).isEmpty)
                #expect(a.status(of: 1) == .disconnected && a.payload(of: 1).isEmpty)
                #expect(b.status(of: 1) == .disconnected)
            }
        }
        #expect(repeating.counters.missingRepeated == 1 && neutral.counters.missingNeutral == 1)
        #expect(repeating.counters.disconnectedFilled == 1)
    }

    @Test func impossibleConfigurationsAreRejectedWithTheField() {
        #expect(throws: ConfigurationError.self) { try InputCollectorConfiguration(slotCount: 0) }
        #expect(throws: ConfigurationError.self) { try InputCollectorConfiguration(slotCount: 65) }
        #expect(throws: ConfigurationError.self) { try InputCollectorConfiguration(slotCount: 2, payloadLimit: 1025) }
        #expect(throws: ConfigurationError.self) { try InputCollectorConfiguration(slotCount: 2, leadWindow: 0) }
    }
}
