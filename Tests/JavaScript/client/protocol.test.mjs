// The codec against docs/PROTOCOL.md: the worked example's exact bytes (read from the document
// itself, so the document and the code cannot drift apart), and seeded random round trips of
// every message in both directions.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import {
    decodeClientMessage, decodeServerMessage, encodeClientMessage, encodeServerMessage, ErrorCode, EventKind,
    MessageType, ProtocolError, SplitMix64,
} from '../../../Sources/LockstepWeb/Public/lockstep/index.js';

const protocolDoc = readFileSync(fileURLToPath(new URL('../../../docs/PROTOCOL.md', import.meta.url)), 'utf8');
const bytes = (...values) => Uint8Array.from(values);

/** The hex blocks of the worked example, by name: "HELLO (86 bytes)" followed by hex lines. */
function workedExample() {
    const section = protocolDoc.slice(protocolDoc.indexOf('## Worked example'));
    const block = section.slice(section.indexOf('```\nHELLO'), section.indexOf('```', section.indexOf('```\nHELLO') + 3));
    const messages = new Map();
    let current = null;
    for (const line of block.split('\n')) {
        const header = /^([A-Z_]+(?: [a-z ]+)?) \((\d+) bytes\)$/.exec(line.trim());
        if (header) {
            current = { length: Number(header[2]), hex: [] };
            messages.set(header[1], current);
        } else if (current && /^[0-9a-f ]+$/.test(line.trim()) && line.trim() !== '') {
            current.hex.push(...line.trim().split(/\s+/));
        }
    }
    return new Map([...messages].map(([name, { length, hex }]) => {
        assert.equal(hex.length, length, `${name}: the block holds ${hex.length} bytes, its header says ${length}`);
        return [name, Uint8Array.from(hex, (pair) => parseInt(pair, 16))];
    }));
}

const token = 'AQAAANJJawAAAAAGcm9vbS0xBWFsaWNl.GHHpmrvEoPYmWZQuo4cyGvFFZO_BQdw3_CegFmxpvG0';

const expectedClient = {
    HELLO: { type: 'hello', version: 1, token, lastTick: null },
    INPUT: { type: 'input', tick: 2, slot: 0, payload: bytes(0x7f, 0, 0, 0x40, 1) },
    STATE_HASH: { type: 'stateHash', tick: 29, hash: 0x0123456789abcdefn },
    PING: { type: 'ping', clientTime: 1000n },
};

const expectedServer = {
    WELCOME: {
        type: 'welcome', version: 1, role: 'player', slot: 0, playerCount: 2, tickRate: 30, inputDelay: 2, leadWindow: 32,
        payloadLimit: 32, hashInterval: 30, spectatorDelay: 0, seed: 42n, simulationVersion: 1, phase: 'waiting', nextTick: 0,
        schedule: { baseTick: 0, epoch: 0n, tickRate: 30 }, serverTime: 4_800_000_000n, roomID: 'room-1', simulationID: 'lockstep.arena',
    },
    'EVENT match start': { type: 'event', kind: 6, name: 'matchStart', tick: 0, slot: null, detail: '' },
    SCHEDULE: { type: 'schedule', baseTick: 0, epoch: 5_000_000_000n, tickRate: 30 },
    FRAME: { type: 'frame', frame: { tick: 2, statuses: bytes(0, 1), payloads: [bytes(0x7f, 0, 0, 0x40, 1), bytes()] } },
    PONG: { type: 'pong', clientTime: 1000n, serverTime: 5_100_000_000n, nextTick: 3 },
};

test('the worked example of PROTOCOL.md decodes to the values stated beside it and encodes back to its exact bytes', () => {
    const example = workedExample();
    assert.deepEqual([...example.keys()].sort(), [...Object.keys(expectedClient), ...Object.keys(expectedServer)].sort());
    for (const [name, expected] of Object.entries(expectedClient)) {
        assert.deepEqual(decodeClientMessage(example.get(name)), expected, name);
        assert.deepEqual(encodeClientMessage(expected), example.get(name), name);
    }
    for (const [name, expected] of Object.entries(expectedServer)) {
        assert.deepEqual(decodeServerMessage(example.get(name)), expected, name);
        assert.deepEqual(encodeServerMessage(expected), example.get(name), name);
    }
});

test('a resumed HELLO sets the resume bit and carries the last tick', () => {
    const hello = encodeClientMessage({ type: 'hello', token: 't', lastTick: 0x01020304 });
    assert.deepEqual(hello, bytes(0x01, 0x01, 0x00, 0x01, 0x04, 0x03, 0x02, 0x01, 0x01, 0x00, 0x74));
    assert.equal(decodeClientMessage(hello).lastTick, 0x01020304);
});

// MARK: Seeded random messages

class Random {
    constructor(seed) {
        this.source = new SplitMix64(BigInt(seed));
    }
    int(bound) {
        return Number(this.source.below(BigInt(bound)));
    }
    u64() {
        return this.source.next();
    }
    bytes(max) {
        return Uint8Array.from({ length: this.int(max + 1) }, () => this.int(256));
    }
    text(max) {
        const alphabet = ['a', 'Z', '0', '-', '_', 'é', '€', '𝄞', ' '];
        const characters = Array.from({ length: this.int(max + 1) }, () => alphabet[this.int(alphabet.length)]);
        while (new TextEncoder().encode(characters.join('')).length > 255) characters.pop();
        return characters.join('');
    }
    frame() {
        const slots = this.int(9);
        return {
            tick: this.int(2 ** 32),
            statuses: Uint8Array.from({ length: slots }, () => this.int(4)),
            payloads: Array.from({ length: slots }, () => this.bytes(40)),
        };
    }
}

function randomClientMessage(random) {
    switch (random.int(7)) {
        case 0: return { type: 'hello', version: random.int(65536), token: random.text(60), lastTick: random.int(2) ? random.int(2 ** 32) : null };
        case 1: return { type: 'input', tick: random.int(2 ** 32), slot: random.int(256), payload: random.bytes(64) };
        case 2: return { type: 'stateHash', tick: random.int(2 ** 32), hash: random.u64() };
        case 3: return { type: 'ping', clientTime: random.u64() };
        case 4: return { type: 'leave' };
        case 5: return { type: 'matchOver', tick: random.int(2 ** 32) };
        default: return { type: 'inputDelay', ticks: random.int(65536) };
    }
}

function randomEvent(random) {
    const kind = 1 + random.int(7);
    const event = { type: 'event', kind, name: Object.keys(EventKind)[kind - 1], tick: random.int(2 ** 32), slot: random.int(2) ? random.int(255) : null };
    if (kind === EventKind.desync) Object.assign(event, { divergentTick: random.int(2 ** 32), agreedHash: random.u64(), slotHash: random.u64() });
    if (kind === EventKind.matchEnd) event.reason = 1 + random.int(6);
    event.detail = random.text(30);
    return event;
}

function randomServerMessage(random) {
    switch (random.int(7)) {
        case 0: {
            const spectator = random.int(2) === 1;
            const tickRate = 1 + random.int(240);
            return {
                type: 'welcome', version: random.int(65536), role: spectator ? 'spectator' : 'player', slot: spectator ? null : random.int(255),
                playerCount: random.int(256), tickRate, inputDelay: random.int(65536), leadWindow: random.int(65536), payloadLimit: random.int(65536),
                hashInterval: random.int(65536), spectatorDelay: random.int(65536), seed: random.u64(), simulationVersion: random.int(65536),
                phase: ['waiting', 'running', 'ended'][random.int(3)], nextTick: random.int(2 ** 32),
                schedule: { baseTick: random.int(2 ** 32), epoch: random.u64(), tickRate }, serverTime: random.u64(),
                roomID: random.text(64), simulationID: random.text(64),
            };
        }
        case 1: return { type: 'frame', frame: random.frame() };
        case 2: return { type: 'frameBatch', frames: Array.from({ length: random.int(6) }, () => random.frame()) };
        case 3: return { type: 'pong', clientTime: random.u64(), serverTime: random.u64(), nextTick: random.int(2 ** 32) };
        case 4: return randomEvent(random);
        case 5: return { type: 'error', code: random.int(65536), fatal: random.int(2) === 1, message: random.text(40) };
        default: return { type: 'schedule', baseTick: random.int(2 ** 32), epoch: random.u64(), tickRate: 1 + random.int(240) };
    }
}

// Messages whose last field is "rest" (a payload or a text): a shorter message is still valid.
const endsWithRest = new Set(['input', 'event', 'error']);

function assertMalformed(decode, data, why) {
    assert.throws(() => decode(data), (error) => error instanceof ProtocolError && error.code === ErrorCode.malformedMessage, why);
}

for (const [direction, make, encode, decode] of [
    ['client', randomClientMessage, encodeClientMessage, decodeClientMessage],
    ['server', randomServerMessage, encodeServerMessage, decodeServerMessage],
]) {
    test(`every ${direction} message round-trips through its encoder and decoder, and truncated or padded ones are refused (seeded)`, () => {
        const random = new Random(direction === 'client' ? 6455 : 1000);
        const seen = new Set();
        for (let round = 0; round < 2000; round++) {
            const message = make(random);
            seen.add(message.type);
            const encoded = encode(message);
            const decoded = decode(encoded);
            assert.deepEqual(decoded, message, `round ${round}: ${message.type}`);
            assert.deepEqual(encode(decoded), encoded, `round ${round}: re-encoding ${message.type}`);
            if (!endsWithRest.has(message.type)) {
                assertMalformed(decode, Uint8Array.of(...encoded, random.int(256)), `${message.type} with an extra byte`);
                if (encoded.length > 1) assertMalformed(decode, encoded.subarray(0, 1 + random.int(encoded.length - 1)), `${message.type} truncated`);
            }
        }
        assert.equal(seen.size, 7, 'every message type was generated');
    });
}

test('a type byte of the other direction or of no message is unknownMessageType; an empty message is malformed', () => {
    for (const type of [0x00, 0x08, 0x7f, 0x81, 0x87, 0xff]) {
        assert.throws(() => decodeClientMessage(bytes(type)), (error) => error.code === ErrorCode.unknownMessageType);
    }
    for (const type of [0x00, 0x01, 0x07, 0x80, 0x88, 0xff]) {
        assert.throws(() => decodeServerMessage(bytes(type)), (error) => error.code === ErrorCode.unknownMessageType);
    }
    assertMalformed(decodeClientMessage, bytes(), 'empty client message');
    assertMalformed(decodeServerMessage, bytes(), 'empty server message');
});

test('the decoders refuse what PROTOCOL.md calls malformed', () => {
    const hello = encodeClientMessage({ type: 'hello', token: 'abc', lastTick: null });
    assertMalformed(decodeClientMessage, Uint8Array.of(...hello.subarray(0, 3), 0x02, ...hello.subarray(4)), 'reserved HELLO flag bits');
    const long = new Uint8Array(10 + 1025);
    long.set([MessageType.hello, 1, 0, 0, 0, 0, 0, 0, 0x01, 0x04]);
    assertMalformed(decodeClientMessage, long, 'a token over 1024 bytes');
    assertMalformed(decodeClientMessage, bytes(MessageType.hello, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0xff), 'a token that is not UTF-8');
    assertMalformed(decodeServerMessage, bytes(MessageType.frame, 0, 0, 0, 0, 1, 4, 0, 0), 'an unknown input status');
    assertMalformed(decodeServerMessage, bytes(MessageType.error, 1, 0, 1, 0xc3), 'an ERROR text that is not UTF-8');
    assertMalformed(decodeServerMessage, bytes(MessageType.event, 7, 0, 0, 0, 0, 0xff, 9), 'an unknown match end reason');
});

test('an unknown event kind decodes with its bytes kept raw, so a client can ignore it', () => {
    const decoded = decodeServerMessage(bytes(MessageType.event, 42, 5, 0, 0, 0, 0xff, 1, 2, 3));
    assert.deepEqual(decoded, { type: 'event', kind: 42, name: 'unknown', tick: 5, slot: null, rest: bytes(1, 2, 3) });
    assert.deepEqual(encodeServerMessage(decoded), bytes(MessageType.event, 42, 5, 0, 0, 0, 0xff, 1, 2, 3));
});

test('encoders refuse values their fields cannot hold', () => {
    assert.throws(() => encodeClientMessage({ type: 'input', tick: -1, slot: 0, payload: [] }), RangeError);
    assert.throws(() => encodeClientMessage({ type: 'input', tick: 2 ** 32, slot: 0, payload: [] }), RangeError);
    assert.throws(() => encodeClientMessage({ type: 'stateHash', tick: 1, hash: 1n << 64n }), RangeError);
    assert.throws(() => encodeClientMessage({ type: 'hello', token: 'x'.repeat(1025) }), RangeError);
    assert.throws(() => encodeServerMessage({ type: 'frameBatch', frames: Array(257).fill({ tick: 0, statuses: bytes(), payloads: [] }) }), RangeError);
});
