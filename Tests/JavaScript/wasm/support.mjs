// Shared by the wasm tests: where things are, and a tiny replay writer for crafting bad files.
import { readdir, readFile } from 'node:fs/promises';
import { crc32 } from '../../../Sources/LockstepWeb/Public/lockstep/replay.js';

/** The repository root. */
export const root = new URL('../../../', import.meta.url);
/** The served arena files. */
export const arenaWasmURL = new URL('Sources/LockstepWeb/Public/arena/arena.wasm', root);

/** Every golden replay: `[{ name, bytes }]`, sorted by name. */
export async function goldenReplays() {
    const directory = new URL('Replays/', root);
    const names = (await readdir(directory)).filter((name) => name.endsWith('.lsr')).sort();
    return Promise.all(names.map(async (name) => ({ name, bytes: new Uint8Array(await readFile(new URL(name, directory))) })));
}

/** Little-endian byte building. */
export class Bytes {
    constructor() { this.bytes = []; }
    u8(value) { this.bytes.push(value & 0xff); return this; }
    u16(value) { return this.u8(value).u8(value >>> 8); }
    u32(value) { return this.u16(value & 0xffff).u16(value >>> 16); }
    u64(value) { const big = BigInt.asUintN(64, BigInt(value)); return this.u32(Number(big & 0xffffffffn)).u32(Number(big >> 32n)); }
    varint(value) {
        let big = BigInt(value);
        do {
            const low = Number(big & 0x7fn);
            big >>= 7n;
            this.u8(big > 0n ? low | 0x80 : low);
        } while (big > 0n);
        return this;
    }
    str8(text) { const raw = new TextEncoder().encode(text); this.u8(raw.length); raw.forEach((byte) => this.u8(byte)); return this; }
    raw(bytes) { for (const byte of bytes) this.u8(byte); return this; }
    get length() { return this.bytes.length; }
    toUint8Array() { return Uint8Array.from(this.bytes); }
}

/**
 * Writes a replay record by record (docs/REPLAY_FORMAT.md), so a test can lie in any field.
 * `record(kind, body)` frames and checksums a body; `footer()` appends a correct footer.
 */
export class ReplayBuilder {
    constructor({ version = 1 } = {}) {
        this.out = new Bytes().raw([0x4c, 0x53, 0x52, 0x45, 0x50, 0x4c, 0x41, 0x59]).u16(version).u16(0);
        this.frames = 0;
    }

    record(kind, body) {
        const raw = body instanceof Bytes ? body.bytes : [...body];
        const framed = new Bytes().u8(kind).u32(raw.length).raw(raw);
        framed.u32(crc32(framed.toUint8Array()));
        this.out.raw(framed.bytes);
        return this;
    }

    header({ players = 2, payloadLimit = 32, seed = 1n } = {}) {
        const body = new Bytes().str8('lockstep.arena').u16(1).u16(30).u16(2).u64(seed).u16(payloadLimit).u32(60).u64(0).str8('room');
        body.u8(players);
        for (let slot = 0; slot < players; slot++) body.u8(slot).str8(`p${slot}`);
        return this.record(1, body);
    }

    /** A Frames record from raw entry bytes that decode `count` frames. */
    framesRecord(firstTick, count, entries) {
        this.frames = firstTick + count;
        return this.record(2, new Bytes().u32(firstTick).u32(count).raw(entries));
    }

    checkpoint(tick, hash) {
        return this.record(3, new Bytes().u32(tick).u64(hash));
    }

    footer(finalHash = 0n, tickCount = this.frames) {
        return this.record(5, new Bytes().u32(tickCount).u64(finalHash).u32(crc32(this.out.toUint8Array())));
    }

    bytes() { return this.out.toUint8Array(); }
}
