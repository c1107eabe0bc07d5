// replay.js reads what the Swift reader reads and refuses what it refuses, with the same messages.
//
// The expected messages are what `lockstep replay verify FILE` (the Swift reader) printed for the
// same bytes: the files were written with the builders below and checked with the CLI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createArena } from '../../../Sources/LockstepWeb/Public/arena/arena.js';
import {
    crc32, hex64, MAX_PAYLOAD_BYTES, MAX_SLOT_ENTRIES, readReplay, ReplayError, verifyReplay,
} from '../../../Sources/LockstepWeb/Public/lockstep/replay.js';
import { Bytes, goldenReplays, ReplayBuilder } from './support.mjs';

const golden = Object.fromEntries((await goldenReplays()).map(({ name, bytes }) => [name, bytes]));

/** A complete two-player file of two frames (no final hash recorded). */
function smallReplay() {
    return new ReplayBuilder().header({ players: 2 }).framesRecord(0, 2, [1, 4, 4, 0, 1]).footer(0n).bytes();
}

function header(fields) {
    return new Bytes().str8(fields.id ?? 'lockstep.arena').u16(1).u16(fields.rate ?? 30).u16(2).u64(1).u16(32).u32(60).u64(0).str8('r');
}

test('CRC-32 is the zlib one', () => {
    assert.equal(crc32(new TextEncoder().encode('123456789')), 0xcbf43926);
});

test('the header, checkpoints, events and footer of a golden replay read as `lockstep replay info` prints them', () => {
    const replay = readReplay(golden['duel-2p-short.lsr']);
    assert.deepEqual(replay.header, {
        simulationID: 'lockstep.arena', simulationVersion: 1, tickRate: 30, inputDelay: 2, seed: 1n, payloadLimit: 32,
        checkpointInterval: 60, recordedAtUnixMillis: 0n, roomID: 'bots-0x0000000000000001', players: ['bot-0', 'bot-1'],
    });
    assert.equal(replay.byteCount, 14475);
    assert.equal(replay.frameCount, 900);
    assert.equal(replay.slotCount, 2);
    assert.equal(replay.checkpoints.length, 15);
    assert.deepEqual(replay.checkpoints.map((c) => c.tick), Array.from({ length: 15 }, (_, i) => 60 * i + 59));
    assert.equal(hex64(replay.footer.finalHash), '0x9b1c1f7c30387f39');
    assert.equal(replay.footer.tickCount, 900);
    assert.deepEqual(replay.events, [
        { tick: 0, kind: 6, kindName: 'matchStart', slot: null, detail: '' },
        { tick: 900, kind: 7, kindName: 'matchEnd', slot: null, detail: 'leader slot 0' },
    ]);
    assert.equal(replay.recovery, null);
});

test('frames give each slot its status and payload; iteration visits every tick in order', () => {
    const replay = readReplay(golden['chaos-8p-disconnects.lsr']);
    const frame = replay.frame(0);
    assert.equal(frame.tick, 0);
    assert.equal(frame.statuses.length, 8);
    assert.equal(frame.payloads.length, 8);
    let ticks = 0;
    const statuses = new Set();
    for (const each of replay.frames()) {
        assert.equal(each.tick, ticks++);
        each.statuses.forEach((status) => statuses.add(status));
        each.payloads.forEach((payload) => assert.ok(payload.length === 0 || payload.length === 5));
    }
    assert.equal(ticks, 3000);
    assert.deepEqual([...statuses].sort(), [0, 1, 2, 3], 'the chaos replay has every status');
    assert.throws(() => replay.frame(3000), RangeError);
});

test('repeats and same-payload flags decode as in the Swift reader (same hash after them)', async () => {
    // 5 frames: a frame, a repeat of 2, a frame with a missing-filled same payload and a late
    // payload, a repeat of 1. `lockstep replay verify` on these bytes: "MISMATCH at tick 4:
    // expected 0x0000000000001234, actual 0xd21c7bd2ac34dbfa".
    const bytes = new ReplayBuilder().header({ players: 2 })
        .framesRecord(0, 5, [1, 0, 5, 1, 2, 3, 4, 5, 4, 0, 2, 1, 0x05, 0x02, 3, 9, 9, 9, 0, 1])
        .checkpoint(4, 0x1234n).footer(0n).bytes();
    const replay = readReplay(bytes);
    const frames = [...Array(5).keys()].map((tick) => {
        const { statuses, payloads } = replay.frame(tick);
        return [[...statuses], payloads.map((payload) => [...payload])];
    });
    assert.deepEqual(frames, [
        [[0, 0], [[1, 2, 3, 4, 5], []]],
        [[0, 0], [[1, 2, 3, 4, 5], []]],
        [[0, 0], [[1, 2, 3, 4, 5], []]],
        [[1, 2], [[1, 2, 3, 4, 5], [9, 9, 9]]],
        [[1, 2], [[1, 2, 3, 4, 5], [9, 9, 9]]],
    ]);
    const report = verifyReplay(replay, await createArena({ players: 2, seed: 1n }));
    assert.deepEqual(report.mismatch, { tick: 4, expected: 0x1234n, actual: 0xd21c7bd2ac34dbfan });
    assert.equal(report.isFinalHashRecorded, false);
});

const refused = [
    ['a record whose frame count would exceed the slot-entry limit', 'offset 87: malformed: a record of 33554432 frames would hold more than 33554432 slot entries',
        () => new ReplayBuilder().header({ players: 2 }).record(2, new Bytes().u32(0).u32(MAX_SLOT_ENTRIES).u8(1).u8(4).u8(4)).footer()],
    ['a repeat that would exceed the payload-byte limit', 'offset 1115: malformed: repeat of 1048576 frames would hold more than 536870912 payload bytes',
        () => new ReplayBuilder().header({ players: 1, payloadLimit: 1024 })
            .record(2, new Bytes().u32(0).u32(2 ** 20 + 1).u8(1).u8(0).varint(1024).raw(new Uint8Array(1024)).u8(0).varint(2 ** 20)).footer()],
    ['a repeat longer than the frames left', 'offset 94: malformed: repeat of 9223372036854775808 frames is not allowed here',
        () => new ReplayBuilder().header({ players: 2 }).record(2, new Bytes().u32(0).u32(3).u8(1).u8(4).u8(4).u8(0).varint(2n ** 63n)).footer()],
    ['a repeat as the first entry', 'offset 91: malformed: repeat of 3 frames is not allowed here',
        () => new ReplayBuilder().header({ players: 2 }).record(2, new Bytes().u32(0).u32(3).u8(0).varint(3)).footer()],
    ['a payload over the limit', 'offset 93: malformed: payload of 40 bytes exceeds the limit of 32',
        () => new ReplayBuilder().header({ players: 2 }).record(2, new Bytes().u32(0).u32(1).u8(1).u8(0).varint(40).raw(new Uint8Array(40)).u8(4)).footer()],
    ['reserved slot-flag bits', 'offset 92: malformed: reserved bits set in slot flags 8',
        () => new ReplayBuilder().header({ players: 2 }).framesRecord(0, 1, [1, 0x08, 0x04]).footer()],
    ['a gap in ticks', 'offset 103: malformed: frames start at tick 5 but 1 was expected',
        () => new ReplayBuilder().header({ players: 2 }).framesRecord(0, 1, [1, 4, 4]).framesRecord(5, 1, [1, 4, 4]).footer()],
    ['an unknown record kind', 'offset 78: malformed: unknown record kind 9',
        () => new ReplayBuilder().header({ players: 2 }).record(9, []).footer()],
    ['a first record that is not the header', 'offset 12: malformed: first record is not the header',
        () => new ReplayBuilder().checkpoint(0, 1n).footer()],
    ['a footer that miscounts the ticks', 'offset 100: malformed: footer counts 3 ticks but the file holds 2',
        () => new ReplayBuilder().header({ players: 2 }).framesRecord(0, 2, [1, 4, 4, 0, 1]).footer(0n, 3)],
    ['a varint longer than 64 bits', 'offset 93: malformed: payload length varint longer than 64 bits',
        () => new ReplayBuilder().header({ players: 2 })
            .record(2, new Bytes().u32(0).u32(1).u8(1).u8(0).raw([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]).u8(4)).footer()],
    ['another format version', 'offset 8: unsupported replay format version 2', () => new ReplayBuilder({ version: 2 }).header()],
    ['no players', 'offset 62: malformed: player count 0 is not 1 to 64', () => new ReplayBuilder().record(1, header({}).u8(0)).footer()],
    ['a tick rate over 240', 'offset 34: malformed: tick rate 241 is not 1 to 240',
        () => new ReplayBuilder().record(1, header({ rate: 241 }).u8(1).u8(0).str8('a')).footer()],
    ['an id that is not UTF-8', 'offset 18: malformed: simulation id is not valid UTF-8',
        () => new ReplayBuilder().record(1, new Bytes().u8(2).u8(0xc3).u8(0x28).raw(header({ id: '' }).bytes.slice(1)).u8(1).u8(0).str8('a')).footer()],
    ['bytes left over in a record', 'offset 95: malformed: 1 unexpected bytes at the end of a record',
        () => new ReplayBuilder().header({ players: 2 }).record(3, new Bytes().u32(0).u64(1n).u8(7)).footer()],
];

for (const [what, message, build] of refused) {
    test(`a replay with ${what} is refused with the Swift reader's message`, () => {
        assert.throws(() => readReplay(build().bytes()), (error) => {
            assert.ok(error instanceof ReplayError);
            assert.equal(error.message, message);
            return true;
        });
    });
}

test('bad magic, a flipped bit and bytes after the footer are refused as the Swift reader does', () => {
    assert.throws(() => readReplay(new TextEncoder().encode('NOTAREPLAY!!!!!!')), { message: 'offset 0: not a Lockstep replay (bad magic)', problem: 'badMagic' });
    assert.throws(() => readReplay(Uint8Array.of(1, 2, 3)), { message: 'offset 0: not a Lockstep replay (bad magic)' });
    const flipped = smallReplay();
    flipped[30] ^= 1;
    assert.throws(() => readReplay(flipped), {
        message: 'offset 12: record checksum mismatch (stored 0xff01edbe, computed 0xd529d5dc)', problem: 'checksumMismatch',
    });
    const extra = new Uint8Array(smallReplay().length + 3);
    extra.set(smallReplay());
    assert.throws(() => readReplay(extra), { message: 'offset 125: truncated: file ends inside a record at offset 125 (3 of its bytes present)' });
});

test('a truncated file is an error when strict and is recovered up to its last complete record', () => {
    const full = smallReplay();
    const cut = full.subarray(0, full.length - 10);
    assert.throws(() => readReplay(cut), { message: 'offset 100: truncated: file ends inside a record at offset 100 (15 of its bytes present)', problem: 'truncated' });
    const recovered = readReplay(cut, { mode: 'recover' });
    assert.equal(recovered.frameCount, 2);
    assert.equal(recovered.footer, null);
    assert.deepEqual(recovered.recovery, { validBytes: 100, discardedBytes: 15, reason: 'file ends inside a record at offset 100 (15 of its bytes present)' });
    assert.throws(() => readReplay(full.subarray(0, 20), { mode: 'recover' }), /truncated: file ends before the header is complete/);
});

test('a golden replay cut anywhere after its header reads in recover mode, up to its last complete record', () => {
    const bytes = golden['arena-4p-10k.lsr'];
    const complete = readReplay(bytes);
    for (const cut of [bytes.length - 1, Math.floor(bytes.length / 2), 5000, 1000]) {
        const recovered = readReplay(bytes.subarray(0, cut), { mode: 'recover' });
        assert.ok(recovered.frameCount <= complete.frameCount);
        assert.equal(recovered.footer, null);
        assert.equal(recovered.recovery.validBytes + recovered.recovery.discardedBytes, cut);
    }
});

test('the limits are the Swift reader\'s', () => {
    assert.equal(MAX_SLOT_ENTRIES, 1 << 25);
    assert.equal(MAX_PAYLOAD_BYTES, 1 << 29);
});
