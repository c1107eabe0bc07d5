// A reader of Lockstep replay files (docs/REPLAY_FORMAT.md, format version 1) for JavaScript, and a
// verifier that re-simulates one through any Simulation (arena/arena.js, or a studio's own).
//
// It checks what the Swift reader (Sources/LockstepReplay/ReplayReader.swift) checks, with the same
// limits and the same messages: every record's CRC-32, every field's range, the order of ticks, the
// footer's file checksum; a count that would exceed the reader's limits is an error before anything
// is allocated for it. Plain ES module, no dependencies; runs in browsers and Node 20.

/** The 8 bytes every replay starts with: ASCII `LSREPLAY`. */
export const REPLAY_MAGIC = Object.freeze([0x4c, 0x53, 0x52, 0x45, 0x50, 0x4c, 0x41, 0x59]);
/** The format version this reader reads. */
export const REPLAY_FORMAT_VERSION = 1;
/** The most slot entries (frames × players) a reader holds: 2^25. */
export const MAX_SLOT_ENTRIES = 2 ** 25;
/** The most payload bytes a reader holds: 512 MiB. */
export const MAX_PAYLOAD_BYTES = 2 ** 29;
/** The largest record body: 64 MiB. */
export const MAX_RECORD_BODY = 64 * 2 ** 20;
/** The largest payload any room may allow. */
export const HARD_PAYLOAD_LIMIT = 1024;

const PREAMBLE_SIZE = 12;
const RECORD_OVERHEAD = 9;
const SAME_PAYLOAD_FLAG = 0x04;
const TAG_REPEAT = 0;
const TAG_FRAME = 1;
const RECORD = { header: 1, frames: 2, checkpoint: 3, event: 4, footer: 5 };

/** Event kinds by their raw value. */
export const REPLAY_EVENT_KINDS = Object.freeze([
    undefined, 'join', 'leave', 'disconnect', 'reconnect', 'desync', 'matchStart', 'matchEnd',
]);

/**
 * A replay that cannot be read. `offset` is the byte offset from the start of the file, `problem`
 * one of `badMagic`, `unsupportedVersion`, `checksumMismatch`, `truncated`, `malformed`, and the
 * message reads as the Swift reader's (`offset 61: malformed: payload of 40 bytes exceeds the limit of 32`).
 */
export class ReplayError extends Error {
    constructor(offset, problem, detail) {
        super(`offset ${offset}: ${describe(problem, detail)}`);
        this.name = 'ReplayError';
        this.offset = offset;
        this.problem = problem;
        this.detail = detail;
    }
}

/** A `malformed` ReplayError at `offset`. */
function malformed(offset, detail) {
    return new ReplayError(offset, 'malformed', detail);
}

function describe(problem, detail) {
    switch (problem) {
        case 'badMagic': return 'not a Lockstep replay (bad magic)';
        case 'unsupportedVersion': return `unsupported replay format version ${detail}`;
        case 'checksumMismatch':
            return `record checksum mismatch (stored ${hex32(detail.expected)}, computed ${hex32(detail.actual)})`;
        case 'truncated': return `truncated: ${detail}`;
        default: return `malformed: ${detail}`;
    }
}

/** `0x` and 8 hex digits. */
export function hex32(value) {
    return '0x' + (value >>> 0).toString(16).padStart(8, '0');
}

/** A BigInt as `0x` and 16 hex digits (as `lockstep replay verify` prints hashes). */
export function hex64(value) {
    return '0x' + BigInt.asUintN(64, BigInt(value)).toString(16).padStart(16, '0');
}

// MARK: - CRC-32 (IEEE 802.3, reflected, as zlib)

const CRC_TABLE = (() => {
    const table = new Uint32Array(256);
    for (let index = 0; index < 256; index++) {
        let value = index;
        for (let bit = 0; bit < 8; bit++) value = value & 1 ? 0xedb88320 ^ (value >>> 1) : value >>> 1;
        table[index] = value >>> 0;
    }
    return table;
})();

function crcUpdate(state, bytes, start, end) {
    let crc = state;
    for (let index = start; index < end; index++) crc = CRC_TABLE[(crc ^ bytes[index]) & 0xff] ^ (crc >>> 8);
    return crc >>> 0;
}

/** The CRC-32 of `bytes` (a Uint8Array). */
export function crc32(bytes) {
    return (crcUpdate(0xffffffff, bytes, 0, bytes.length) ^ 0xffffffff) >>> 0;
}

// MARK: - Byte reader

const utf8 = new TextDecoder('utf-8', { fatal: true });

class BodyReader {
    constructor(bytes, start, end) {
        this.bytes = bytes;
        this.position = start;
        this.end = end;
    }

    get remaining() { return this.end - this.position; }
    get isAtEnd() { return this.position >= this.end; }

    u8(what) {
        if (this.position >= this.end) throw malformed(this.position, `record ends inside ${what}`);
        return this.bytes[this.position++];
    }

    need(size, what) {
        if (this.remaining < size) throw malformed(this.position, `record ends inside ${what}`);
    }

    u16(what) {
        this.need(2, what);
        const b = this.bytes, p = this.position;
        this.position += 2;
        return b[p] | (b[p + 1] << 8);
    }

    u32(what) {
        this.need(4, what);
        const b = this.bytes, p = this.position;
        this.position += 4;
        return (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) >>> 0;
    }

    u64(what) {
        const low = this.u32(what);
        const high = this.u32(what);
        return (BigInt(high) << 32n) | BigInt(low);
    }

    /** Unsigned LEB128, at most 64 bits: a Number, or a BigInt when above 2^53 (compare either way). */
    varint(what) {
        const start = this.position;
        let result = 0;
        let big = null;
        for (let shift = 0; ; shift += 7) {
            const byte = this.u8(what);
            if (shift >= 64) throw malformed(start, `${what} varint longer than 64 bits`);
            if (big === null && shift <= 42) {
                result += (byte & 0x7f) * 2 ** shift;
            } else {
                if (big === null) big = BigInt(result);
                big = BigInt.asUintN(64, big | (BigInt(byte & 0x7f) << BigInt(shift)));
            }
            if ((byte & 0x80) === 0) {
                if (big === null) return result;
                return big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
            }
        }
    }

    /** Skips `count` bytes and returns where they start. */
    skip(count, what) {
        if (count < 0 || this.remaining < count) throw malformed(this.position, `record ends inside ${what}`);
        const start = this.position;
        this.position += count;
        return start;
    }

    take(count, what) {
        const start = this.skip(count, what);
        return this.bytes.subarray(start, start + count);
    }

    text(raw, offset, what) {
        try {
            return utf8.decode(raw);
        } catch {
            throw malformed(offset, `${what} is not valid UTF-8`);
        }
    }

    shortString(what) {
        const length = this.u8(what);
        const start = this.position;
        return this.text(this.take(length, what), start, what);
    }
}

// MARK: - Replay

/** A growable byte or u32 store (doubling), so a long match is a few typed arrays, not objects. */
class Growable {
    constructor(Type, capacity) {
        this.Type = Type;
        this.data = new Type(capacity);
        this.length = 0;
    }

    reserve(extra) {
        const needed = this.length + extra;
        if (needed <= this.data.length) return;
        let capacity = Math.max(16, this.data.length * 2);
        while (capacity < needed) capacity *= 2;
        const grown = new this.Type(capacity);
        grown.set(this.data.subarray(0, this.length));
        this.data = grown;
    }

    push(value) {
        if (this.length === this.data.length) this.reserve(1);
        this.data[this.length++] = value;
    }

    /** Appends `source[start..<end]` (a short payload is copied in a loop: no view per payload). */
    appendRange(source, start, end) {
        const count = end - start;
        this.reserve(count);
        if (count > 32) {
            this.data.set(source.subarray(start, end), this.length);
        } else {
            const data = this.data;
            for (let index = 0; index < count; index++) data[this.length + index] = source[start + index];
        }
        this.length += count;
    }

    /** Appends a copy of its own range (the source may move while growing, so index, not view). */
    appendOwn(start, end) {
        this.reserve(end - start);
        this.data.copyWithin(this.length, start, end);
        this.length += end - start;
    }
}

/**
 * A replay read from bytes: `header`, `checkpoints`, `events`, `footer` (null when truncated and
 * recovered), `recovery` (what was lost, or null), `byteCount`, and every frame through
 * `frameCount` and `frame(index)`.
 */
export class Replay {
    constructor(header) {
        this.header = header;
        this.checkpoints = [];
        this.events = [];
        this.footer = null;
        this.recovery = null;
        this.byteCount = 0;
        this._statuses = new Growable(Uint8Array, 1024);
        this._payloadEnds = new Growable(Uint32Array, 1024);
        this._payloadBytes = new Growable(Uint8Array, 4096);
    }

    /** The number of players. */
    get slotCount() { return this.header.players.length; }

    /** The number of frames held (ticks 0 to frameCount − 1). */
    get frameCount() { return this.slotCount === 0 ? 0 : this._statuses.length / this.slotCount; }

    /**
     * The frame of tick `index` in the shape `Simulation.step` takes: `{ tick, statuses, payloads }`.
     * `statuses` and the payloads are views into the replay's storage (no copy); pass `into` (an
     * object this method returned before) to reuse its arrays.
     */
    frame(index, into) {
        const slots = this.slotCount;
        if (!Number.isInteger(index) || index < 0 || index >= this.frameCount) {
            throw new RangeError(`frame ${index} is not in 0..<${this.frameCount}`);
        }
        const base = index * slots;
        const ends = this._payloadEnds.data;
        const bytes = this._payloadBytes.data;
        const frame = into ?? { tick: 0, statuses: null, payloads: new Array(slots) };
        frame.tick = index;
        frame.statuses = this._statuses.data.subarray(base, base + slots);
        if (frame.payloads.length !== slots) frame.payloads = new Array(slots);
        for (let slot = 0; slot < slots; slot++) {
            const entry = base + slot;
            frame.payloads[slot] = bytes.subarray(entry === 0 ? 0 : ends[entry - 1], ends[entry]);
        }
        return frame;
    }

    /** Every frame in tick order (one reused object: copy what you keep). */
    *frames() {
        let frame;
        for (let index = 0; index < this.frameCount; index++) yield (frame = this.frame(index, frame));
    }

    _appendSlot(status, source, start, end) {
        this._statuses.push(status);
        this._payloadBytes.appendRange(source, start, end);
        this._payloadEnds.push(this._payloadBytes.length);
    }

    _appendCopyOfSlot(status, entry) {
        const ends = this._payloadEnds.data;
        this._statuses.push(status);
        this._payloadBytes.appendOwn(entry === 0 ? 0 : ends[entry - 1], ends[entry]);
        this._payloadEnds.push(this._payloadBytes.length);
    }
}

/**
 * Reads a replay. `mode` is `strict` (the default: the file must be complete) or `recover` (a file
 * that ends inside a record or before its footer is read up to its last complete record, and
 * `replay.recovery` says what was lost; corruption is still an error).
 *
 * @param {Uint8Array|ArrayBuffer} input the file's bytes
 * @returns {Replay}
 * @throws {ReplayError} naming the offset and what was wrong
 */
export function readReplay(input, { mode = 'strict' } = {}) {
    const bytes = input instanceof Uint8Array ? input : new Uint8Array(input);
    if (mode !== 'strict' && mode !== 'recover') throw new TypeError(`mode must be 'strict' or 'recover', not ${mode}`);
    if (bytes.length < PREAMBLE_SIZE) {
        if (bytes.length < REPLAY_MAGIC.length && !bytes.every((byte, index) => byte === REPLAY_MAGIC[index])) {
            throw new ReplayError(0, 'badMagic');
        }
        throw new ReplayError(bytes.length, 'truncated', 'file ends inside the preamble');
    }
    if (!REPLAY_MAGIC.every((byte, index) => bytes[index] === byte)) throw new ReplayError(0, 'badMagic');
    const version = bytes[8] | (bytes[9] << 8);
    if (version !== REPLAY_FORMAT_VERSION) throw new ReplayError(8, 'unsupportedVersion', version);

    let offset = PREAMBLE_SIZE;
    let replay = null;
    let footerSeen = false;
    let fileCRC = crcUpdate(0xffffffff, bytes, 0, offset);
    const truncated = (reason) => finishTruncated(replay, mode, offset, bytes.length, reason);
    while (offset < bytes.length) {
        const remaining = bytes.length - offset;
        let bodyLength;
        if (remaining >= 5) {
            bodyLength = u32At(bytes, offset + 1);
            if (bodyLength > MAX_RECORD_BODY) {
                throw malformed(offset + 1, `record length ${bodyLength} exceeds the limit of ${MAX_RECORD_BODY}`);
            }
        } else {
            bodyLength = Number.MAX_SAFE_INTEGER;
        }
        const recordLength = bodyLength + RECORD_OVERHEAD;
        if (remaining < recordLength) {
            return truncated(`file ends inside a record at offset ${offset} (${remaining} of its bytes present)`);
        }
        if (footerSeen) throw malformed(offset, 'data after the footer');
        const end = offset + recordLength;
        const stored = u32At(bytes, end - 4);
        const computed = (crcUpdate(0xffffffff, bytes, offset, end - 4) ^ 0xffffffff) >>> 0;
        if (stored !== computed) {
            throw new ReplayError(offset, 'checksumMismatch', { expected: stored, actual: computed });
        }
        const kind = bytes[offset];
        if (kind < RECORD.header || kind > RECORD.footer) throw malformed(offset, `unknown record kind ${kind}`);
        if (replay === null && kind !== RECORD.header) throw malformed(offset, 'first record is not the header');
        const body = new BodyReader(bytes, offset + 5, offset + 5 + bodyLength);
        switch (kind) {
            case RECORD.header:
                if (replay !== null) throw malformed(offset, 'a second header record');
                replay = new Replay(readHeader(body));
                break;
            case RECORD.frames:
                readFrames(body, replay);
                break;
            case RECORD.checkpoint: {
                const tick = body.u32('checkpoint tick');
                replay.checkpoints.push({ tick, hash: body.u64('checkpoint hash') });
                break;
            }
            case RECORD.event:
                replay.events.push(readEvent(body));
                break;
            case RECORD.footer: {
                const tickCount = body.u32('footer tick count');
                const finalHash = body.u64('footer final hash');
                const checksum = body.u32('footer checksum');
                const fileValue = (fileCRC ^ 0xffffffff) >>> 0;
                if (checksum !== fileValue) {
                    throw new ReplayError(offset, 'checksumMismatch', { expected: checksum, actual: fileValue });
                }
                if (tickCount !== replay.frameCount) {
                    throw malformed(offset, `footer counts ${tickCount} ticks but the file holds ${replay.frameCount}`);
                }
                replay.footer = { tickCount, finalHash, fileChecksum: checksum };
                footerSeen = true;
                break;
            }
        }
        if (!body.isAtEnd) throw malformed(body.position, `${body.remaining} unexpected bytes at the end of a record`);
        fileCRC = crcUpdate(fileCRC, bytes, offset, end);
        offset = end;
    }
    if (!footerSeen || replay === null) return truncated('file ends before the footer');
    replay.byteCount = bytes.length;
    return replay;
}

function u32At(bytes, offset) {
    return (bytes[offset] | (bytes[offset + 1] << 8) | (bytes[offset + 2] << 16) | (bytes[offset + 3] << 24)) >>> 0;
}

function finishTruncated(replay, mode, offset, total, reason) {
    if (mode !== 'recover' || replay === null) {
        throw new ReplayError(offset, 'truncated', replay === null ? 'file ends before the header is complete' : reason);
    }
    replay.recovery = { validBytes: offset, discardedBytes: total - offset, reason };
    replay.byteCount = total;
    return replay;
}

function readHeader(body) {
    const simulationID = body.shortString('simulation id');
    const simulationVersion = body.u16('simulation version');
    const tickRate = body.u16('tick rate');
    if (tickRate < 1 || tickRate > 240) throw malformed(body.position - 2, `tick rate ${tickRate} is not 1 to 240`);
    const inputDelay = body.u16('input delay');
    const seed = body.u64('seed');
    const payloadLimit = body.u16('payload limit');
    if (payloadLimit > HARD_PAYLOAD_LIMIT) throw malformed(body.position - 2, `payload limit ${payloadLimit} exceeds 1024`);
    const checkpointInterval = body.u32('checkpoint interval');
    const recordedAtUnixMillis = body.u64('recording time');
    const roomID = body.shortString('room id');
    const countOffset = body.position;
    const count = body.u8('player count');
    if (count < 1 || count > 64) throw malformed(countOffset, `player count ${count} is not 1 to 64`);
    const players = [];
    for (let expected = 0; expected < count; expected++) {
        const slotOffset = body.position;
        const slot = body.u8('player slot');
        if (slot !== expected) throw malformed(slotOffset, `player slot ${slot} where ${expected} was expected`);
        players.push(body.shortString('player id'));
    }
    return {
        simulationID, simulationVersion, tickRate, inputDelay, seed, payloadLimit, checkpointInterval,
        recordedAtUnixMillis, roomID, players,
    };
}

function readFrames(body, replay) {
    const firstOffset = body.position;
    const firstTick = body.u32('first tick');
    if (firstTick !== replay.frameCount) {
        throw malformed(firstOffset, `frames start at tick ${firstTick} but ${replay.frameCount} was expected`);
    }
    const countOffset = body.position;
    const count = body.u32('frame count');
    const slots = replay.slotCount;
    // Every count is checked against what a reader may hold before it is acted on: a few bytes
    // of repeats can claim billions of frames.
    if ((replay.frameCount + count) * Math.max(1, slots) > MAX_SLOT_ENTRIES) {
        throw malformed(countOffset, `a record of ${count} frames would hold more than ${MAX_SLOT_ENTRIES} slot entries`);
    }
    const limit = replay.header.payloadLimit;
    let decoded = 0;
    let previousStart = replay._statuses.length; // the previous frame's first slot entry in this record
    let hasPrevious = false;
    while (decoded < count) {
        const tagOffset = body.position;
        const tag = body.u8('frame tag');
        if (tag === TAG_REPEAT) {
            const run = body.varint('repeat count');
            if (!hasPrevious || run < 1 || run > count - decoded) {
                throw malformed(tagOffset, `repeat of ${run} frames is not allowed here`);
            }
            const ends = replay._payloadEnds.data;
            const frameEnd = slots > 0 ? ends[previousStart + slots - 1] : 0;
            const frameStart = previousStart > 0 ? ends[previousStart - 1] : 0;
            const frameBytes = Math.max(0, frameEnd - frameStart);
            if (replay._payloadBytes.length + run * frameBytes > MAX_PAYLOAD_BYTES) {
                throw malformed(tagOffset, `repeat of ${run} frames would hold more than ${MAX_PAYLOAD_BYTES} payload bytes`);
            }
            for (let repeat = 0; repeat < run; repeat++) {
                const start = replay._statuses.length;
                for (let slot = 0; slot < slots; slot++) {
                    const entry = previousStart + slot;
                    replay._appendCopyOfSlot(replay._statuses.data[entry], entry);
                }
                previousStart = start;
            }
            decoded += run;
        } else if (tag === TAG_FRAME) {
            const start = replay._statuses.length;
            for (let slot = 0; slot < slots; slot++) {
                const flagsOffset = body.position;
                const flags = body.u8('slot flags');
                if ((flags & ~(SAME_PAYLOAD_FLAG | 0x03)) !== 0) {
                    throw malformed(flagsOffset, `reserved bits set in slot flags ${flags}`);
                }
                const status = flags & 0x03;
                if (flags & SAME_PAYLOAD_FLAG) {
                    if (hasPrevious) replay._appendCopyOfSlot(status, previousStart + slot);
                    else replay._appendSlot(status, EMPTY, 0, 0);
                } else {
                    const lengthOffset = body.position;
                    const length = body.varint('payload length');
                    if (length > limit) {
                        throw malformed(lengthOffset, `payload of ${length} bytes exceeds the limit of ${limit}`);
                    }
                    const start = body.skip(Number(length), 'payload');
                    replay._appendSlot(status, body.bytes, start, start + Number(length));
                }
            }
            previousStart = start;
            hasPrevious = true;
            decoded += 1;
        } else {
            throw malformed(tagOffset, `unknown frame tag ${tag}`);
        }
    }
}

const EMPTY = new Uint8Array(0);

function readEvent(body) {
    const tick = body.u32('event tick');
    const kindOffset = body.position;
    const kind = body.u8('event kind');
    if (kind < 1 || kind >= REPLAY_EVENT_KINDS.length) throw malformed(kindOffset, `unknown event kind ${kind}`);
    const rawSlot = body.u8('event slot');
    const length = body.u16('event detail length');
    const detailOffset = body.position;
    const detail = body.text(body.take(length, 'event detail'), detailOffset, 'event detail');
    return { tick, kind, kindName: REPLAY_EVENT_KINDS[kind], slot: rawSlot === 0xff ? null : rawSlot, detail };
}

// MARK: - Verification

/**
 * Re-simulates `replay` through `simulation` (a new match for the replay's players and seed, for
 * example `await createArena({ players: replay.slotCount, seed: replay.header.seed })`), compares the
 * state hash at every checkpoint and, when the footer recorded one, the final hash; as
 * `lockstep replay verify` does.
 *
 * @returns {{ok: boolean, ticks: number, checkpointsChecked: number, finalHash: bigint,
 *   mismatch: null | {tick: number, expected: bigint, actual: bigint}, isTruncated: boolean,
 *   isFinalHashRecorded: boolean}}
 * @throws {Error} when the simulation is not the one the header names (id and version)
 */
export function verifyReplay(replay, simulation) {
    const { simulationID, simulationVersion } = replay.header;
    if (simulation.simulationID !== simulationID || simulation.simulationVersion !== simulationVersion) {
        throw new Error(
            `the replay needs ${simulationID}@${simulationVersion}, `
            + `not ${simulation.simulationID}@${simulation.simulationVersion}`);
    }
    const checkpoints = [...replay.checkpoints].sort((a, b) => a.tick - b.tick);
    let next = 0;
    let checked = 0;
    let mismatch = null;
    let frame;
    for (let index = 0; index < replay.frameCount; index++) {
        frame = replay.frame(index, frame);
        simulation.step(frame);
        while (next < checkpoints.length && checkpoints[next].tick < index) next++;
        while (next < checkpoints.length && checkpoints[next].tick === index) {
            const actual = simulation.hash();
            checked++;
            if (actual !== checkpoints[next].hash && mismatch === null) {
                mismatch = { tick: checkpoints[next].tick, expected: checkpoints[next].hash, actual };
            }
            next++;
        }
        if (mismatch !== null) break;
    }
    const finalHash = simulation.hash();
    let isFinalHashRecorded = false;
    if (mismatch === null && replay.footer !== null && replay.footer.finalHash !== 0n) {
        isFinalHashRecorded = true;
        checked++;
        if (replay.footer.finalHash !== finalHash) {
            const tick = Math.max(0, replay.frameCount - 1);
            mismatch = { tick, expected: replay.footer.finalHash, actual: finalHash };
        }
    }
    return {
        ok: mismatch === null, ticks: replay.frameCount, checkpointsChecked: checked, finalHash, mismatch,
        isTruncated: replay.footer === null, isFinalHashRecorded,
    };
}
