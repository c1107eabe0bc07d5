// The reference arena simulation (`lockstep.arena`) in the browser: arena.wasm is the server's own
// Swift source (Sources/LockstepSimulation and the parts of LockstepCore it uses) compiled with
// Embedded Swift by tools/build-wasm.sh, so a browser computes the server's state hashes bit for bit.
//
//   import { createArena } from './arena/arena.js';
//   const sim = await createArena({ players: 4, seed: 7n });
//   sim.step({ tick: 0, statuses: Uint8Array.of(0, 0, 0, 0), payloads: [p0, p1, p2, p3] });
//   sim.hash();           // 64-bit BigInt, equal to the Swift ArenaSimulation.hash()
//
// Implements the Simulation interface the client library drives (docs/JAVASCRIPT.md). Plain ES
// module, no dependencies; runs in browsers and Node 20. Each simulation is its own instance of the
// module (one match per instance); the compiled module is shared.

const STATUS_OFFSET = 0;
const ENDS_OFFSET = 64;
const PAYLOAD_OFFSET = 320;
const MAX_SLOTS = 64;
const MAX_PAYLOAD = 1024;
const PAYLOAD_AREA = MAX_SLOTS * MAX_PAYLOAD;
const FIXED_ONE = 65536;
const TURN = 65536;

let defaultModule = null;

/**
 * Compiles arena.wasm once. `source` is optional: bytes (Uint8Array or ArrayBuffer), a compiled
 * `WebAssembly.Module`, a `Response`, or a URL (string or URL; `file:` URLs are read from disk in
 * Node). Without it, arena.wasm next to this file is fetched (read from disk under Node).
 *
 * @returns {Promise<WebAssembly.Module>}
 */
export async function loadArenaModule(source) {
    if (source instanceof WebAssembly.Module) return source;
    if (source === undefined) {
        defaultModule ??= compileFrom(new URL('./arena.wasm', import.meta.url)).catch((error) => {
            defaultModule = null;
            throw error;
        });
        return defaultModule;
    }
    return compileFrom(source);
}

async function compileFrom(source) {
    if (source instanceof ArrayBuffer || ArrayBuffer.isView(source)) return WebAssembly.compile(source);
    if (typeof Response !== 'undefined' && source instanceof Response) return compileResponse(source);
    const url = source instanceof URL ? source : new URL(String(source), globalThis.location?.href ?? import.meta.url);
    if (url.protocol === 'file:') {
        const { readFile } = await import('node:fs/promises');
        return WebAssembly.compile(await readFile(url));
    }
    const response = await fetch(url);
    if (!response.ok) throw new Error(`cannot load ${url}: HTTP ${response.status}`);
    return compileResponse(response);
}

function compileResponse(response) {
    // Streaming compilation (while the bytes arrive) needs the server to say application/wasm,
    // as `lockstep serve` does; otherwise compile the whole body.
    const type = response.headers.get('content-type') ?? '';
    if (typeof WebAssembly.compileStreaming === 'function' && type.split(';')[0].trim() === 'application/wasm') {
        return WebAssembly.compileStreaming(response);
    }
    return response.arrayBuffer().then((bytes) => WebAssembly.compile(bytes));
}

/** One instance of arena.wasm and views of its I/O buffer, refreshed when memory grows. */
class ArenaInstance {
    constructor(instance) {
        this.exports = instance.exports;
        this.memory = instance.exports.memory;
        this.io = this.exports.arena_io_buffer();
        this.capacity = this.exports.arena_io_capacity();
        this.refresh();
    }

    refresh() {
        this.buffer = this.memory.buffer;
        this.bytes = new Uint8Array(this.buffer);
        this.view = new DataView(this.buffer);
        this.ends = new Uint32Array(this.buffer, this.io + ENDS_OFFSET, MAX_SLOTS);
    }

    /** The views, valid until the next call into wasm that may grow memory. */
    fresh() {
        if (this.buffer !== this.memory.buffer) this.refresh();
        return this;
    }

    text(length) {
        const bytes = this.fresh().bytes;
        return new TextDecoder().decode(bytes.subarray(this.io, this.io + length));
    }

    /** A Fixed (Q47.16, raw i64 little-endian) at `offset` as a Number (exact below 2^53 raw). */
    fixed(offset) {
        const low = this.view.getUint32(this.io + offset, true);
        const high = this.view.getInt32(this.io + offset + 4, true);
        return (high * 2 ** 32 + low) / FIXED_ONE;
    }
}

async function instantiate(wasm) {
    const module = await loadArenaModule(wasm);
    return new ArenaInstance(await WebAssembly.instantiate(module, {}));
}

/**
 * A new arena match: the Simulation the client library drives.
 *
 * @param {{players: number, seed: bigint|number, wasm?: *}} options 2 to 8 players; the match seed
 *   (unsigned 64-bit); optionally where arena.wasm comes from (see `loadArenaModule`)
 * @returns {Promise<ArenaSimulation>}
 * @throws {RangeError} for a player count or seed the simulation refuses
 */
export async function createArena({ players, seed = 0n, wasm } = {}) {
    if (!Number.isInteger(players)) throw new RangeError(`players must be an integer, not ${players}`);
    const seedBits = toU64(seed, 'seed');
    const instance = await instantiate(wasm);
    const failure = instance.exports.arena_create(players, seedBits);
    if (failure !== 0) throw new RangeError(instance.text(failure));
    return new ArenaSimulation(instance, players);
}

function toU64(value, name) {
    const big = typeof value === 'bigint' ? value : Number.isSafeInteger(value) ? BigInt(value) : null;
    if (big === null || big < 0n || big >= 2n ** 64n) {
        throw new RangeError(`${name} must be an unsigned 64-bit integer, not ${value}`);
    }
    return BigInt.asIntN(64, big); // wasm i64 parameters take the signed view of the same bits
}

const STEP_ERRORS = [
    null,
    () => 'no match was created',
    (sim, frame) => `frame for tick ${frame.tick} stepped at tick ${sim.tick} (frames must be stepped in tick order)`,
    () => 'a status is not an InputStatus raw value (0 to 3)',
    () => 'the frame has too many slots or an oversized payload',
];

/** The arena simulation in WebAssembly (created by `createArena`). */
export class ArenaSimulation {
    #arena;
    #players;
    #snapshotSize;

    constructor(instance, players) {
        this.#arena = instance;
        this.#players = players;
        const exports = instance.exports;
        /** The simulation's stable identifier, as the server's (`lockstep.arena`). */
        this.simulationID = instance.text(exports.arena_simulation_id());
        /** The version of its rules, as the server's. */
        this.simulationVersion = exports.arena_simulation_version();
        /** The arena's fixed geometry and rules, for drawing (world units; +y is "up" on the stick). */
        this.geometry = readGeometry(instance);
        this.#snapshotSize = exports.arena_save();
    }

    /** The number of players. */
    get players() { return this.#players; }

    /** The ticks stepped so far (the tick of the next frame to step). */
    get tick() { return this.#arena.exports.arena_tick(); }

    /** Whether the match is over (score or tick limit reached). */
    get isOver() { return this.#arena.exports.arena_is_over() === 1; }

    /**
     * Advances one tick. `frame` is what the client library decodes from FRAME / FRAME_BATCH:
     * `{ tick, statuses: Uint8Array, payloads: Uint8Array[] }`, slots in order; `tick` must be the
     * simulation's current tick. The frame is copied into the module's memory in place (nothing is
     * allocated per tick).
     *
     * @throws {RangeError} for an out-of-order tick, a bad status, too many slots (64) or a payload
     *   over 1024 bytes; the state is unchanged then
     */
    step(frame) {
        const arena = this.#arena.fresh();
        const { statuses, payloads } = frame;
        const slots = statuses.length;
        if (slots > MAX_SLOTS || payloads.length !== slots) {
            throw new RangeError(`a frame has at most ${MAX_SLOTS} slots and one payload per status `
                + `(${slots} statuses, ${payloads.length} payloads)`);
        }
        const bytes = arena.bytes;
        const io = arena.io;
        bytes.set(statuses, io + STATUS_OFFSET);
        let end = 0;
        for (let slot = 0; slot < slots; slot++) {
            const payload = payloads[slot];
            if (payload.length > MAX_PAYLOAD) {
                throw new RangeError(`slot ${slot}'s payload of ${payload.length} bytes exceeds ${MAX_PAYLOAD}`);
            }
            bytes.set(payload, io + PAYLOAD_OFFSET + end);
            end += payload.length;
            arena.ends[slot] = end;
        }
        const result = arena.exports.arena_step(frame.tick >>> 0, slots);
        if (result !== 0) throw new RangeError(STEP_ERRORS[result]?.(this, frame) ?? `step failed (${result})`);
    }

    /** The 64-bit state hash as an unsigned BigInt, equal to the server's `hash()`. */
    hash() {
        return BigInt.asUintN(64, this.#arena.exports.arena_hash());
    }

    /**
     * A copy of the whole state (a Uint8Array of a few KB), for `restore`. Pass a Uint8Array of
     * `snapshotSize` bytes as `into` to reuse it instead of allocating.
     */
    snapshot(into) {
        const arena = this.#arena;
        const size = arena.exports.arena_save();
        const source = arena.fresh().bytes.subarray(arena.io, arena.io + size);
        if (into instanceof Uint8Array && into.length === size) {
            into.set(source);
            return into;
        }
        return source.slice();
    }

    /** The size of a snapshot in bytes. */
    get snapshotSize() { return this.#snapshotSize; }

    /**
     * Returns to a state `snapshot()` of this simulation returned.
     *
     * @throws {TypeError} when `snapshot` is not one (wrong type or size)
     */
    restore(snapshot) {
        if (!(snapshot instanceof Uint8Array) || snapshot.length !== this.#snapshotSize) {
            throw new TypeError(`not a snapshot of this arena (${this.#snapshotSize} bytes expected)`);
        }
        const arena = this.#arena.fresh();
        arena.bytes.set(snapshot, arena.io);
        const result = arena.exports.arena_load(snapshot.length);
        if (result !== 0) throw new TypeError(`the arena refused the snapshot (${result})`);
    }

    /**
     * What to draw, as a new plain object: `{ tick, isOver, leader, players, projectiles }`. A player
     * is `{ slot, x, y, angle, aim, alive, health, timer, score, deaths }`: x and y in world units
     * (converted from fixed point for display only), angle in radians counter-clockwise from +x
     * (aim: the raw binary angle, 65536 per turn), timer the ticks to respawn while dead or to the next
     * shot while alive. A projectile (active ones only) is `{ owner, x, y, vx, vy, ticksLeft }`.
     */
    renderState() {
        const arena = this.#arena;
        arena.exports.arena_render();
        const view = arena.fresh().view;
        const io = arena.io;
        const playerCount = view.getUint32(io + 4, true);
        const projectileCount = view.getUint32(io + 8, true);
        const players = new Array(playerCount);
        let offset = 16;
        for (let slot = 0; slot < playerCount; slot++, offset += 40) {
            const aim = view.getUint16(io + offset + 16, true);
            players[slot] = {
                slot, x: arena.fixed(offset), y: arena.fixed(offset + 8), angle: (aim / TURN) * 2 * Math.PI, aim,
                alive: view.getUint8(io + offset + 18) === 1, health: view.getInt32(io + offset + 20, true),
                timer: view.getInt32(io + offset + 24, true), score: view.getInt32(io + offset + 28, true),
                deaths: view.getInt32(io + offset + 32, true),
            };
        }
        const projectiles = [];
        for (let index = 0; index < projectileCount; index++, offset += 40) {
            if (view.getUint8(io + offset) !== 1) continue;
            projectiles.push({
                owner: view.getUint8(io + offset + 1), ticksLeft: view.getInt32(io + offset + 4, true),
                x: arena.fixed(offset + 8), y: arena.fixed(offset + 16),
                vx: arena.fixed(offset + 24), vy: arena.fixed(offset + 32),
            });
        }
        const tick = view.getUint32(io, true);
        return { tick, isOver: this.isOver, leader: view.getUint32(io + 12, true), players, projectiles };
    }

    /** Drops the module instance; the simulation cannot be used afterwards. */
    dispose() {
        this.#arena = null;
    }
}

function readGeometry(arena) {
    arena.exports.arena_geometry();
    const view = arena.fresh().view;
    const io = arena.io;
    const walls = [];
    const wallCount = view.getInt32(io + 36, true);
    for (let index = 0, offset = 40; index < wallCount; index++, offset += 32) {
        walls.push({
            minX: arena.fixed(offset), minY: arena.fixed(offset + 8),
            maxX: arena.fixed(offset + 16), maxY: arena.fixed(offset + 24),
        });
    }
    return Object.freeze({
        width: arena.fixed(0), height: arena.fixed(8), playerRadius: arena.fixed(16),
        maxHealth: view.getInt32(io + 24, true), scoreLimit: view.getInt32(io + 28, true),
        tickLimit: view.getInt32(io + 32, true),
        walls: Object.freeze(walls),
    });
}

/**
 * The arena's 5-byte input payload (ArenaInput): move x and y (−127 to 127; +y is up), aim (a binary
 * angle, 65536 per turn; `angleToAim` converts radians) and fire. Writes into `into` when given.
 */
export function encodeArenaInput({ moveX = 0, moveY = 0, aim = 0, fire = false }, into = new Uint8Array(5)) {
    into[0] = clampStick(moveX) & 0xff;
    into[1] = clampStick(moveY) & 0xff;
    into[2] = aim & 0xff;
    into[3] = (aim >>> 8) & 0xff;
    into[4] = fire ? 1 : 0;
    return into;
}

function clampStick(value) {
    return Math.max(-127, Math.min(127, Math.trunc(value) || 0));
}

/** An angle in radians (counter-clockwise from +x) as the arena's binary angle (0 to 65535). */
export function angleToAim(radians) {
    const turns = radians / (2 * Math.PI);
    return ((Math.round((turns - Math.floor(turns)) * TURN) % TURN) + TURN) % TURN;
}

/**
 * The seeded arena bots (the Swift `ArenaBot(seed:slot:)`, as `lockstep replay record` plays
 * them): `next(slot)` gives bot `slot`'s next 5-byte payload.
 *
 * @param {{players: number, seed: bigint|number, wasm?: *}} options
 */
export async function createArenaBots({ players, seed = 0n, wasm } = {}) {
    const arena = await instantiate(wasm);
    if (!Number.isInteger(players) || arena.exports.arena_bots_create(players, toU64(seed, 'seed')) !== 0) {
        throw new RangeError(`bots must be 1 to ${MAX_SLOTS}, not ${players}`);
    }
    return {
        players,
        /** Bot `slot`'s next payload, written into `into` (5 bytes) when given. */
        next(slot, into = new Uint8Array(5)) {
            const length = arena.exports.arena_bot_next(slot);
            if (length !== 5) throw new RangeError(`no bot in slot ${slot}`);
            into.set(arena.fresh().bytes.subarray(arena.io, arena.io + 5));
            return into;
        },
    };
}
