// The WebAssembly face of the arena: C-named functions over one match per module instance.
//
// tools/build-wasm.sh compiles this file into the LockstepSimulation module of the wasm build
// only (the native build never sees it), so that a snapshot can be restored into the state's
// `internal(set)` fields without widening the simulation's public API. Everything crosses the
// boundary as integers and through one I/O buffer in linear memory that JavaScript reads and
// writes in place (arena.js): no allocation per tick on either side.
//
// I/O buffer layout while stepping (`arena_step`):
//   0..<64        status of each slot (InputStatus raw value)
//   64..<320      end offset (u32, little-endian) of each slot's payload in the payload area
//   320..<66 176  the payload area: every slot's payload, back to back, in slot order
// Other calls write their results at offset 0 (layouts beside each function).

import LockstepCore

/// The most slots a frame may carry (`PlayerSlot.maximumCount`).
let wasmMaxSlots = 64
let wasmEndsOffset = 64
let wasmPayloadOffset = 320
let wasmIOCapacity = 320 + 64 * 1024 + 640

nonisolated(unsafe) var wasmIO: UnsafeMutableRawPointer?
nonisolated(unsafe) var wasmArena: ArenaSimulation?
nonisolated(unsafe) var wasmFrame: ConfirmedFrame?
nonisolated(unsafe) var wasmBots: [ArenaBot] = []

func ioBuffer() -> UnsafeMutableRawPointer {
    if let io = wasmIO { return io }
    let io = UnsafeMutableRawPointer.allocate(byteCount: wasmIOCapacity, alignment: 16)
    io.initializeMemory(as: UInt8.self, repeating: 0, count: wasmIOCapacity)
    wasmIO = io
    return io
}

/// Writes UTF-8 text at offset 0 of the I/O buffer and returns its length.
func writeText(_ text: String) -> Int32 {
    let io = ioBuffer()
    var count = 0
    for byte in text.utf8 where count < 1024 {
        io.storeBytes(of: byte, toByteOffset: count, as: UInt8.self)
        count += 1
    }
    return Int32(count)
}

/// The address of the I/O buffer.
@_cdecl("arena_io_buffer")
public func arenaIOBuffer() -> UnsafeMutableRawPointer { ioBuffer() }

/// The size of the I/O buffer in bytes.
@_cdecl("arena_io_capacity")
public func arenaIOCapacity() -> Int32 { Int32(wasmIOCapacity) }

/// Writes the simulation id (UTF-8) to the I/O buffer and returns its length.
@_cdecl("arena_simulation_id")
public func arenaSimulationID() -> Int32 { writeText(ArenaSimulation.simulationID) }

/// The simulation's rules version.
@_cdecl("arena_simulation_version")
public func arenaSimulationVersion() -> Int32 { Int32(ArenaSimulation.simulationVersion) }

/// Starts a match. Returns 0, or the length of an error message written to the I/O buffer.
@_cdecl("arena_create")
public func arenaCreate(_ players: Int32, _ seed: UInt64) -> Int32 {
    do throws(ConfigurationError) {
        wasmArena = try ArenaSimulation(players: Int(players), seed: seed)
        if wasmFrame == nil { wasmFrame = ConfirmedFrame(tick: .zero, reservingSlots: wasmMaxSlots, payloadBytes: 512) }
        return 0
    } catch {
        wasmArena = nil
        return writeText(error.description)
    }
}

/// Steps the frame of `tick` whose `slotCount` slots are in the I/O buffer (layout at the top).
/// Returns 0; 1 when no match was created; 2 when `tick` is not the next tick; 3 when a status is
/// not an InputStatus; 4 when the slot count or a payload's bounds are out of range.
@_cdecl("arena_step")
public func arenaStep(_ tick: UInt32, _ slotCount: Int32) -> Int32 {
    guard let current = wasmArena?.tick else { return 1 }
    guard tick == UInt32(bitPattern: current) else { return 2 }
    let count = Int(slotCount)
    guard count >= 0, count <= wasmMaxSlots, var frame = wasmFrame else { return 4 }
    wasmFrame = nil  // keep the frame's arrays uniquely referenced while refilling them
    defer { wasmFrame = frame }
    let io = ioBuffer()
    frame.reset(tick: Tick(tick))
    var start = 0
    var slot = 0
    while slot < count {
        guard let status = InputStatus(rawValue: io.load(fromByteOffset: slot, as: UInt8.self)) else { return 3 }
        let rawEnd = io.loadUnaligned(fromByteOffset: wasmEndsOffset + 4 * slot, as: UInt32.self)
        let end = Int(UInt32(littleEndian: rawEnd))
        guard end >= start, end - start <= InputFrame.hardPayloadLimit, wasmPayloadOffset + end <= wasmIOCapacity else {
            return 4
        }
        let payload = UnsafeRawBufferPointer(start: io + wasmPayloadOffset + start, count: end - start)
        frame.append(status: status, payload: payload)
        start = end
        slot += 1
    }
    guard var arena = wasmArena else { return 1 }
    wasmArena = nil  // keep the state's arrays uniquely referenced while stepping
    arena.step(frame)
    wasmArena = arena
    return 0
}

/// The state hash (`ArenaSimulation.hash()`), 0 without a match.
@_cdecl("arena_hash")
public func arenaHash() -> UInt64 { wasmArena?.hash() ?? 0 }

/// The ticks stepped so far, -1 without a match.
@_cdecl("arena_tick")
public func arenaTick() -> Int32 { wasmArena?.tick ?? -1 }

/// 1 when the match is over, else 0.
@_cdecl("arena_is_over")
public func arenaIsOver() -> Int32 { wasmArena?.isOver == true ? 1 : 0 }

/// Copies the whole mutable state into the I/O buffer and returns its size (0 without a match).
///
/// Layout (opaque to JavaScript; only `arena_load` of the same build reads it): tick (Int32),
/// 4 bytes of padding, the random generator's 32 bytes, then the players' and the projectiles'
/// memory. The rules are fixed for a match and not copied.
@_cdecl("arena_save")
public func arenaSave() -> Int32 {
    guard let arena = wasmArena else { return 0 }
    let io = ioBuffer()
    io.storeBytes(of: arena.tick, toByteOffset: 0, as: Int32.self)
    withUnsafeBytes(of: arena.random) { (io + 8).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
    var offset = 8 + MemoryLayout<SeededRandom>.size
    arena.players.withUnsafeBytes { (io + offset).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
    offset += arena.players.count * MemoryLayout<ArenaPlayer>.stride
    arena.projectiles.withUnsafeBytes { (io + offset).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
    return Int32(offset + arena.projectiles.count * MemoryLayout<ArenaProjectile>.stride)
}

/// Restores a state that `arena_save` wrote (now back in the I/O buffer) of `size` bytes.
/// Returns 0, 1 without a match, 2 when the size is not this match's state size.
@_cdecl("arena_load")
public func arenaLoad(_ size: Int32) -> Int32 {
    guard var arena = wasmArena else { return 1 }
    let playersSize = arena.players.count * MemoryLayout<ArenaPlayer>.stride
    let projectilesSize = arena.projectiles.count * MemoryLayout<ArenaProjectile>.stride
    let base = 8 + MemoryLayout<SeededRandom>.size
    guard Int(size) == base + playersSize + projectilesSize else { return 2 }
    wasmArena = nil  // keep the arrays uniquely referenced while overwriting them
    let io = ioBuffer()
    arena.tick = io.load(fromByteOffset: 0, as: Int32.self)
    withUnsafeMutableBytes(of: &arena.random) {
        $0.copyMemory(from: UnsafeRawBufferPointer(start: io + 8, count: $0.count))
    }
    arena.players.withUnsafeMutableBytes {
        $0.copyMemory(from: UnsafeRawBufferPointer(start: io + base, count: $0.count))
    }
    arena.projectiles.withUnsafeMutableBytes {
        $0.copyMemory(from: UnsafeRawBufferPointer(start: io + base + playersSize, count: $0.count))
    }
    wasmArena = arena
    return 0
}

/// Writes what a renderer draws to the I/O buffer and returns its size (0 without a match).
///
/// Layout (little-endian): tick u32, player count u32, projectile count u32, leader u32, then 40
/// bytes per player: x, y (Fixed raw i64), aim u16, alive u8, 1 byte 0, health, timer, score,
/// deaths (i32 each), 4 bytes 0; then 40 bytes per projectile: active u8, owner u8, 2 bytes 0,
/// ticks left i32, x, y, vx, vy (Fixed raw i64).
@_cdecl("arena_render")
public func arenaRender() -> Int32 {
    guard let arena = wasmArena else { return 0 }
    let io = ioBuffer()
    io.storeBytes(of: UInt32(bitPattern: arena.tick).littleEndian, toByteOffset: 0, as: UInt32.self)
    io.storeBytes(of: UInt32(arena.players.count).littleEndian, toByteOffset: 4, as: UInt32.self)
    io.storeBytes(of: UInt32(arena.projectiles.count).littleEndian, toByteOffset: 8, as: UInt32.self)
    io.storeBytes(of: UInt32(arena.leader).littleEndian, toByteOffset: 12, as: UInt32.self)
    var offset = 16
    var index = 0
    while index < arena.players.count {
        let player = arena.players[index]
        io.storeBytes(of: player.x.raw.littleEndian, toByteOffset: offset, as: Int64.self)
        io.storeBytes(of: player.y.raw.littleEndian, toByteOffset: offset + 8, as: Int64.self)
        io.storeBytes(of: player.aim.rawValue.littleEndian, toByteOffset: offset + 16, as: UInt16.self)
        io.storeBytes(of: player.isAlive ? 1 : 0, toByteOffset: offset + 18, as: UInt8.self)
        io.storeBytes(of: 0, toByteOffset: offset + 19, as: UInt8.self)
        io.storeBytes(of: player.health.littleEndian, toByteOffset: offset + 20, as: Int32.self)
        io.storeBytes(of: player.timer.littleEndian, toByteOffset: offset + 24, as: Int32.self)
        io.storeBytes(of: player.score.littleEndian, toByteOffset: offset + 28, as: Int32.self)
        io.storeBytes(of: player.deaths.littleEndian, toByteOffset: offset + 32, as: Int32.self)
        io.storeBytes(of: 0, toByteOffset: offset + 36, as: Int32.self)
        offset += 40
        index += 1
    }
    index = 0
    while index < arena.projectiles.count {
        let shot = arena.projectiles[index]
        io.storeBytes(of: shot.isActive ? 1 : 0, toByteOffset: offset, as: UInt8.self)
        io.storeBytes(of: shot.owner, toByteOffset: offset + 1, as: UInt8.self)
        io.storeBytes(of: 0, toByteOffset: offset + 2, as: UInt16.self)
        io.storeBytes(of: shot.ticksLeft.littleEndian, toByteOffset: offset + 4, as: Int32.self)
        io.storeBytes(of: shot.x.raw.littleEndian, toByteOffset: offset + 8, as: Int64.self)
        io.storeBytes(of: shot.y.raw.littleEndian, toByteOffset: offset + 16, as: Int64.self)
        io.storeBytes(of: shot.vx.raw.littleEndian, toByteOffset: offset + 24, as: Int64.self)
        io.storeBytes(of: shot.vy.raw.littleEndian, toByteOffset: offset + 32, as: Int64.self)
        offset += 40
        index += 1
    }
    return Int32(offset)
}

/// Writes the arena's fixed geometry and rules to the I/O buffer and returns its size.
///
/// Layout (little-endian): width, height, player radius (Fixed raw i64), max health, score
/// limit, tick limit, wall count (i32 each), then each wall as min x, min y, max x, max y
/// (Fixed raw i64).
@_cdecl("arena_geometry")
public func arenaGeometry() -> Int32 {
    let io = ioBuffer()
    let rules = wasmArena?.rules ?? ArenaRules()
    io.storeBytes(of: ArenaRules.width.raw.littleEndian, toByteOffset: 0, as: Int64.self)
    io.storeBytes(of: ArenaRules.height.raw.littleEndian, toByteOffset: 8, as: Int64.self)
    io.storeBytes(of: ArenaRules.playerRadius.raw.littleEndian, toByteOffset: 16, as: Int64.self)
    io.storeBytes(of: Int32(ArenaRules.maxHealth).littleEndian, toByteOffset: 24, as: Int32.self)
    io.storeBytes(of: Int32(clamping: rules.scoreLimit).littleEndian, toByteOffset: 28, as: Int32.self)
    io.storeBytes(of: Int32(clamping: rules.tickLimit).littleEndian, toByteOffset: 32, as: Int32.self)
    io.storeBytes(of: Int32(ArenaRules.walls.count).littleEndian, toByteOffset: 36, as: Int32.self)
    var offset = 40
    var index = 0
    while index < ArenaRules.walls.count {
        let wall = ArenaRules.walls[index]
        io.storeBytes(of: wall.0.raw.littleEndian, toByteOffset: offset, as: Int64.self)
        io.storeBytes(of: wall.1.raw.littleEndian, toByteOffset: offset + 8, as: Int64.self)
        io.storeBytes(of: wall.2.raw.littleEndian, toByteOffset: offset + 16, as: Int64.self)
        io.storeBytes(of: wall.3.raw.littleEndian, toByteOffset: offset + 24, as: Int64.self)
        offset += 32
        index += 1
    }
    return Int32(offset)
}

/// Seats `players` seeded bots (`ArenaBot(seed:slot:)`, as `lockstep replay record` plays them).
/// Returns 0, or 1 when the count is not 1 to 64.
@_cdecl("arena_bots_create")
public func arenaBotsCreate(_ players: Int32, _ seed: UInt64) -> Int32 {
    guard players >= 1, Int(players) <= wasmMaxSlots else { return 1 }
    wasmBots = []
    var slot = 0
    while slot < Int(players) {
        wasmBots.append(ArenaBot(seed: seed, slot: slot))
        slot += 1
    }
    return 0
}

/// Writes bot `slot`'s next 5-byte payload to the I/O buffer; returns 5, or 0 for no such bot.
@_cdecl("arena_bot_next")
public func arenaBotNext(_ slot: Int32) -> Int32 {
    guard slot >= 0, Int(slot) < wasmBots.count else { return 0 }
    let payload = wasmBots[Int(slot)].nextInput().payload
    let io = ioBuffer()
    var index = 0
    while index < payload.count {
        io.storeBytes(of: payload[index], toByteOffset: index, as: UInt8.self)
        index += 1
    }
    return Int32(payload.count)
}
