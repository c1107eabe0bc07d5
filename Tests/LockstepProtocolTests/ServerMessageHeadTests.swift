import CAllocationCounter
import LockstepCore
import Testing
@testable import LockstepProtocol

/// `ServerMessageHead`: the one reading of the server messages' fixed fields, under the owned
/// decoder and the benchmark bots' in-place path.
@Suite struct ServerMessageHeadTests {
    /// Seeded random server messages of every type: the head read in place carries the same fixed
    /// fields as the owned decode, and every truncation either still reads the same head (the
    /// cut is in the variable part) or throws: it never reads a different one.
    @Test func theHeadAgreesWithTheDecodedMessageAndTruncationsNeverChangeIt() throws {
        var random = SeededRandom(seed: 0x4EAD)
        for _ in 0..<2_000 {
            var writer = WireWriter()
            let message = Self.randomMessage(&random, into: &writer)
            let bytes = writer.bytes
            let head = try bytes.withUnsafeBytes { raw in
                var reader = WireReader(raw)
                return try ServerMessageHead.read(&reader)
            }
            #expect(try bytes.withUnsafeBytes { try ServerMessage.decode($0) } == message)
            #expect(Self.agrees(head, with: message), "\(head) vs \(message)")
            for cut in 0..<bytes.count {
                let prefix = Array(bytes[0..<cut])
                let truncated = try? prefix.withUnsafeBytes { raw in
                    var reader = WireReader(raw)
                    return try ServerMessageHead.read(&reader)
                }
                if let truncated { #expect(truncated == head) }
            }
        }
    }

    @Test func frameSlotsReadInPlaceWithoutAllocating() throws {
        let frame = ConfirmedFrame(tick: Tick(9), inputs: [(.onTime, [1, 2, 3]), (.missingFilled, []), (.lateMoved, [7])])
        var writer = WireWriter()
        ServerMessageEncoder.frame(frame, into: &writer)
        try writer.bytes.withUnsafeBytes { raw in
            var reader = WireReader(raw)
            _ = try ServerMessageHead.read(&reader)  // warm
            reader = WireReader(raw)
            let before = lockstep_thread_allocations()
            guard case .frame(let tick, let slotCount) = try ServerMessageHead.read(&reader) else {
                Issue.record("not a frame")
                return
            }
            var statuses: [InputStatus] = []
            statuses.reserveCapacity(slotCount)
            var payloadBytes = 0
            let reserved = lockstep_thread_allocations()
            for _ in 0..<slotCount {
                let slot = try reader.frameSlot()
                statuses.append(slot.status)
                payloadBytes += slot.payload.count
            }
            #expect(lockstep_thread_allocations() == reserved && reserved - before == 1)  // the test's own array
            #expect(tick == Tick(9) && statuses == [.onTime, .missingFilled, .lateMoved] && payloadBytes == 4)
            #expect(reader.remaining == 0)
        }
    }

    static func agrees(_ head: ServerMessageHead, with message: ServerMessage) -> Bool {
        switch (head, message) {
        case (.welcome(let head), .welcome(let welcome)):
            return Welcome(head, roomID: welcome.roomID, simulationID: welcome.simulationID) == welcome
        case (.frame(let tick, let slotCount), .frame(let frame)):
            return tick == frame.tick && slotCount == frame.slotCount
        case (.frameBatch(let count), .frameBatch(let frames)):
            return count == frames.count
        case (.pong(let c, let s, let n), .pong(let c2, let s2, let n2)):
            return c == c2 && s == s2 && n == n2
        case (.event(let kind, let tick, let slot), .event(let event, let tick2, _)):
            return kind == event.kind && tick == tick2 && slot.rawValue == (event.slot?.rawValue ?? 0xFF)
        case (.error(let code, let fatal), .error(let code2, let fatal2, _)):
            return code == code2 && fatal == fatal2
        case (.schedule(let schedule), .schedule(let schedule2)):
            return schedule == schedule2
        default:
            return false
        }
    }

    static func randomFrame(_ random: inout SeededRandom) -> ConfirmedFrame {
        var frame = ConfirmedFrame(tick: Tick(UInt32(truncatingIfNeeded: random.next())))
        for _ in 0..<random.next(in: 0...8) {
            let status = InputStatus.allCases[random.next(in: 0...3)]
            frame.append(status: status, payload: (0..<random.next(in: 0...6)).map { _ in UInt8(truncatingIfNeeded: random.next()) })
        }
        return frame
    }

    /// Encodes a random server message into `writer` and returns it.
    static func randomMessage(_ random: inout SeededRandom, into writer: inout WireWriter) -> ServerMessage {
        let schedule = WireSchedule(
            baseTick: Tick(UInt32(truncatingIfNeeded: random.next())), epoch: random.next(), tickRate: UInt16(random.next(in: 1...240)))
        switch random.next(in: 0...6) {
        case 0:
            var welcome = Welcome(
                role: random.chance(1, in: 2) ? .player : .spectator, slot: random.chance(1, in: 3) ? nil : PlayerSlot(UInt8(random.next(in: 0...63))),
                playerCount: UInt8(random.next(in: 1...64)), tickRate: schedule.tickRate, inputDelay: UInt16(random.next(in: 0...20)),
                leadWindow: UInt16(random.next(in: 0...99)), payloadLimit: UInt16(random.next(in: 0...1024)),
                hashInterval: UInt16(random.next(in: 0...300)), spectatorDelay: UInt16(random.next(in: 0...300)), seed: random.next(),
                simulationVersion: UInt16(random.next(in: 0...9)), phase: [.waiting, .running, .ended][random.next(in: 0...2)],
                nextTick: Tick(UInt32(truncatingIfNeeded: random.next())), schedule: schedule, serverTime: random.next(),
                roomID: "room-\(random.next(in: 0...999))", simulationID: random.chance(1, in: 2) ? "lockstep.arena" : "")
            welcome.version = UInt16(random.next(in: 1...3))
            ServerMessageEncoder.welcome(welcome, into: &writer)
            return .welcome(welcome)
        case 1:
            let frame = randomFrame(&random)
            ServerMessageEncoder.frame(frame, into: &writer)
            return .frame(frame)
        case 2:
            let frames = (0..<random.next(in: 0...4)).map { _ in randomFrame(&random) }
            ServerMessageEncoder.frameBatchHeader(count: frames.count, into: &writer)
            for frame in frames { ServerMessageEncoder.frameBody(frame, into: &writer) }
            return .frameBatch(frames)
        case 3:
            let (c, s) = (random.next(), random.next())
            let n = Tick(UInt32(truncatingIfNeeded: random.next()))
            ServerMessageEncoder.pong(clientTime: c, serverTime: s, nextTick: n, into: &writer)
            return .pong(clientTime: c, serverTime: s, nextTick: n)
        case 4:
            let slot = PlayerSlot(UInt8(random.next(in: 0...63)))
            let tick = Tick(UInt32(truncatingIfNeeded: random.next()))
            let events: [RoomEvent] = [
                .joined(slot: slot), .left(slot: slot), .disconnected(slot: slot), .reconnected(slot: slot),
                .desync(slot: slot, tick: tick.advanced(by: -1), expected: random.next(), actual: random.next()), .matchStart,
                .matchEnd(reason: MatchEndReason.allCases[random.next(in: 0...MatchEndReason.allCases.count - 1)]),
            ]
            let event = events[random.next(in: 0...events.count - 1)]
            let detail = random.chance(1, in: 2) ? "" : "detail \(random.next(in: 0...99))"
            ServerMessageEncoder.event(event, tick: tick, detail: detail, into: &writer)
            return .event(event, tick: tick, detail: detail)
        case 5:
            let code = ProtocolErrorCode.allCases[random.next(in: 0...ProtocolErrorCode.allCases.count - 1)]
            let error = ProtocolError(code, "reason \(random.next(in: 0...99))")
            ServerMessageEncoder.error(error, into: &writer)
            return .error(code: code.rawValue, fatal: code.isFatal, message: error.description)
        default:
            ServerMessageEncoder.schedule(schedule, into: &writer)
            return .schedule(schedule)
        }
    }
}
