// The Lockstep wire protocol, version 1 (docs/PROTOCOL.md): encoders and decoders for every
// message, both directions (a client uses the client encoders and the server decoder; tests play
// the server with the others). Pure functions over Uint8Array; no I/O.
//
// Conventions: ticks, slots, lengths and small counts are numbers; u64 fields (times, seed,
// hashes) are BigInt. A decoded frame is { tick, statuses: Uint8Array, payloads: Uint8Array[] },
// exactly what a Simulation's step(frame) takes.

/** The protocol version this library speaks. */
export const PROTOCOL_VERSION = 1;
/** The WebSocket subprotocol to offer. */
export const SUBPROTOCOL = 'lockstep.v1';
/** The largest token a HELLO may carry, in bytes. */
export const MAX_TOKEN_LENGTH = 1024;
/** The most frames one FRAME_BATCH carries. */
export const MAX_BATCH_FRAMES = 256;

/** Message type bytes: below 0x80 from the client, 0x80 and above from the server. */
export const MessageType = Object.freeze({
    hello: 0x01,
    input: 0x02,
    stateHash: 0x03,
    ping: 0x04,
    leave: 0x05,
    matchOver: 0x06,
    inputDelay: 0x07,
    welcome: 0x81,
    frame: 0x82,
    frameBatch: 0x83,
    pong: 0x84,
    event: 0x85,
    error: 0x86,
    schedule: 0x87,
});

/** A slot's status in a FRAME. */
export const InputStatus = Object.freeze({ onTime: 0, missingFilled: 1, lateMoved: 2, disconnected: 3 });

/** EVENT kinds, and their names in decoded events. */
export const EventKind = Object.freeze({
    playerJoined: 1,
    playerLeft: 2,
    playerDisconnected: 3,
    playerReconnected: 4,
    desync: 5,
    matchStart: 6,
    matchEnd: 7,
});
const eventNames = ['unknown', 'playerJoined', 'playerLeft', 'playerDisconnected', 'playerReconnected', 'desync', 'matchStart', 'matchEnd'];

/** Why a match ended (EVENT match end's reason byte). */
export const MatchEndReason = Object.freeze({
    tickLimit: 1,
    adminEnded: 2,
    allPlayersGone: 3,
    playersReported: 4,
    serverShutdown: 5,
    startTimeout: 6,
});

/** Error codes (ERROR messages; a fatal one closes with 4000 + code). */
export const ErrorCode = Object.freeze({
    malformedMessage: 1,
    unknownMessageType: 2,
    unsupportedVersion: 3,
    notJoined: 4,
    alreadyJoined: 5,
    invalidToken: 10,
    tokenExpired: 11,
    wrongRoom: 12,
    roomNotFound: 13,
    roomFull: 14,
    roomEnded: 15,
    wrongSlot: 20,
    tickTooFarAhead: 21,
    inputLate: 22,
    duplicateInput: 23,
    payloadTooLarge: 24,
    spectatorCannotSend: 25,
    rateLimited: 30,
    tooManyConnections: 31,
    idleTimeout: 32,
    serverShuttingDown: 33,
    replacedByNewConnection: 34,
    desyncDropped: 35,
    catchUpUnavailable: 36,
});

/** The slot byte of a spectator (WELCOME) and of a whole-room EVENT. */
export const NO_SLOT = 0xff;

const roles = ['player', 'spectator'];
const phases = ['waiting', 'running', 'ended'];

/** A message that does not decode; `code` is the protocol error code it maps to (1 or 2). */
export class ProtocolError extends Error {
    constructor(code, message) {
        super(message);
        this.name = 'ProtocolError';
        this.code = code;
    }
}

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

// MARK: Writing

/** Appends little-endian fields to a growing byte buffer. */
class Writer {
    constructor(capacity = 64) {
        this.bytes = new Uint8Array(capacity);
        this.view = new DataView(this.bytes.buffer);
        this.length = 0;
    }

    reserve(count) {
        if (this.length + count <= this.bytes.length) return;
        let size = this.bytes.length * 2;
        while (size < this.length + count) size *= 2;
        const grown = new Uint8Array(size);
        grown.set(this.bytes.subarray(0, this.length));
        this.bytes = grown;
        this.view = new DataView(grown.buffer);
    }

    u8(value, field) {
        this.reserve(1);
        this.view.setUint8(this.length, checkRange(value, 0xff, field));
        this.length += 1;
    }

    u16(value, field) {
        this.reserve(2);
        this.view.setUint16(this.length, checkRange(value, 0xffff, field), true);
        this.length += 2;
    }

    u32(value, field) {
        this.reserve(4);
        this.view.setUint32(this.length, checkRange(value, 0xffffffff, field), true);
        this.length += 4;
    }

    u64(value, field) {
        const big = typeof value === 'bigint' ? value : BigInt(checkRange(value, Number.MAX_SAFE_INTEGER, field));
        if (big < 0n || big > 0xffffffffffffffffn) throw new RangeError(`${field} is not a u64: ${value}`);
        this.reserve(8);
        this.view.setBigUint64(this.length, big, true);
        this.length += 8;
    }

    raw(bytes) {
        this.reserve(bytes.length);
        this.bytes.set(bytes, this.length);
        this.length += bytes.length;
    }

    str8(text, field) {
        const bytes = utf8Encoder.encode(text);
        if (bytes.length > 0xff) throw new RangeError(`${field} is longer than 255 bytes`);
        this.u8(bytes.length, field);
        this.raw(bytes);
    }

    finish() {
        return this.bytes.slice(0, this.length);
    }
}

function checkRange(value, max, field) {
    if (!Number.isInteger(value) || value < 0 || value > max) throw new RangeError(`${field} out of range: ${value}`);
    return value;
}

function bytesOf(payload, field) {
    if (payload === undefined || payload === null) return new Uint8Array(0);
    if (payload instanceof Uint8Array) return payload;
    if (Array.isArray(payload) || ArrayBuffer.isView(payload) || payload instanceof ArrayBuffer) return new Uint8Array(payload);
    throw new TypeError(`${field} must be bytes (Uint8Array or an array of numbers)`);
}

// MARK: Reading

/** Reads little-endian fields, throwing malformedMessage on any shortfall. */
class Reader {
    constructor(bytes) {
        this.bytes = bytes;
        this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        this.position = 0;
    }

    get remaining() {
        return this.bytes.length - this.position;
    }

    need(count, field) {
        if (this.remaining < count) throw new ProtocolError(ErrorCode.malformedMessage, `message ends before ${field}`);
    }

    u8(field) {
        this.need(1, field);
        return this.view.getUint8(this.position++);
    }

    u16(field) {
        this.need(2, field);
        const value = this.view.getUint16(this.position, true);
        this.position += 2;
        return value;
    }

    u32(field) {
        this.need(4, field);
        const value = this.view.getUint32(this.position, true);
        this.position += 4;
        return value;
    }

    u64(field) {
        this.need(8, field);
        const value = this.view.getBigUint64(this.position, true);
        this.position += 8;
        return value;
    }

    /** `count` bytes, copied (the result outlives the message buffer). */
    bytesCopy(count, field) {
        this.need(count, field);
        const value = this.bytes.slice(this.position, this.position + count);
        this.position += count;
        return value;
    }

    rest() {
        const value = this.bytes.slice(this.position);
        this.position = this.bytes.length;
        return value;
    }

    str8(field) {
        return utf8(this.bytesCopy(this.u8(field), field), field);
    }

    expectEnd(name) {
        if (this.remaining !== 0) {
            throw new ProtocolError(ErrorCode.malformedMessage, `${this.remaining} extra bytes after ${name}`);
        }
    }
}

function utf8(bytes, field) {
    try {
        return utf8Decoder.decode(bytes);
    } catch {
        throw new ProtocolError(ErrorCode.malformedMessage, `${field} is not valid UTF-8`);
    }
}

function asBytes(data) {
    if (data instanceof Uint8Array) return data;
    if (data instanceof ArrayBuffer) return new Uint8Array(data);
    if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    throw new TypeError('a message must be a Uint8Array or an ArrayBuffer');
}

// MARK: Client → server

/** HELLO: `lastTick` (the last confirmed tick held) sets the resume bit; null for a first join. */
export function encodeHello({ token, lastTick = null, version = PROTOCOL_VERSION }) {
    const tokenBytes = utf8Encoder.encode(token);
    if (tokenBytes.length > MAX_TOKEN_LENGTH) throw new RangeError(`token longer than ${MAX_TOKEN_LENGTH} bytes`);
    const writer = new Writer(10 + tokenBytes.length);
    writer.u8(MessageType.hello);
    writer.u16(version, 'version');
    writer.u8(lastTick === null ? 0 : 1);
    writer.u32(lastTick ?? 0, 'last tick');
    writer.u16(tokenBytes.length, 'token length');
    writer.raw(tokenBytes);
    return writer.finish();
}

/** INPUT for `tick` from `slot`; `payload` up to the room's payload limit. */
export function encodeInput({ tick, slot, payload }) {
    const bytes = bytesOf(payload, 'payload');
    const writer = new Writer(6 + bytes.length);
    writer.u8(MessageType.input);
    writer.u32(tick, 'tick');
    writer.u8(slot, 'slot');
    writer.raw(bytes);
    return writer.finish();
}

/** STATE_HASH: the hash (BigInt u64) after applying the frame of checkpoint tick `tick`. */
export function encodeStateHash({ tick, hash }) {
    const writer = new Writer(13);
    writer.u8(MessageType.stateHash);
    writer.u32(tick, 'tick');
    writer.u64(hash, 'hash');
    return writer.finish();
}

/** PING carrying the client's time (BigInt u64, echoed back in the PONG). */
export function encodePing({ clientTime }) {
    const writer = new Writer(9);
    writer.u8(MessageType.ping);
    writer.u64(clientTime, 'client time');
    return writer.finish();
}

/** LEAVE: one byte. */
export function encodeLeave() {
    return Uint8Array.of(MessageType.leave);
}

/** MATCH_OVER: the tick at which the client's confirmed state is over. */
export function encodeMatchOver({ tick }) {
    const writer = new Writer(5);
    writer.u8(MessageType.matchOver);
    writer.u32(tick, 'tick');
    return writer.finish();
}

/** INPUT_DELAY: the input delay the client now uses, in ticks. */
export function encodeInputDelay({ ticks }) {
    const writer = new Writer(3);
    writer.u8(MessageType.inputDelay);
    writer.u16(ticks, 'input delay');
    return writer.finish();
}

/**
 * Decodes one client message (what a server, or a test playing one, receives).
 * @throws {ProtocolError} code 2 for a type byte that is not a client message, 1 for any other fault.
 */
export function decodeClientMessage(data) {
    const reader = new Reader(asBytes(data));
    const type = reader.u8('the message type');
    let message;
    switch (type) {
        case MessageType.hello: {
            const version = reader.u16('version');
            const flags = reader.u8('flags');
            const lastTick = reader.u32('last tick');
            const length = reader.u16('token length');
            if (length > MAX_TOKEN_LENGTH) {
                throw new ProtocolError(ErrorCode.malformedMessage, `token longer than ${MAX_TOKEN_LENGTH} bytes`);
            }
            const token = utf8(reader.bytesCopy(length, 'token'), 'token');
            if ((flags & ~1) !== 0) throw new ProtocolError(ErrorCode.malformedMessage, 'reserved HELLO flags set');
            message = { type: 'hello', version, token, lastTick: (flags & 1) === 1 ? lastTick : null };
            break;
        }
        case MessageType.input:
            message = { type: 'input', tick: reader.u32('tick'), slot: reader.u8('slot'), payload: reader.rest() };
            break;
        case MessageType.stateHash:
            message = { type: 'stateHash', tick: reader.u32('tick'), hash: reader.u64('hash') };
            break;
        case MessageType.ping:
            message = { type: 'ping', clientTime: reader.u64('client time') };
            break;
        case MessageType.leave:
            message = { type: 'leave' };
            break;
        case MessageType.matchOver:
            message = { type: 'matchOver', tick: reader.u32('tick') };
            break;
        case MessageType.inputDelay:
            message = { type: 'inputDelay', ticks: reader.u16('input delay') };
            break;
        default:
            throw new ProtocolError(ErrorCode.unknownMessageType, `type 0x${type.toString(16)} is not a client message`);
    }
    reader.expectEnd(message.type);
    return message;
}

/** Encodes any decoded client message (`{ type: 'hello', ... }` and so on). */
export function encodeClientMessage(message) {
    switch (message.type) {
        case 'hello': return encodeHello(message);
        case 'input': return encodeInput(message);
        case 'stateHash': return encodeStateHash(message);
        case 'ping': return encodePing(message);
        case 'leave': return encodeLeave();
        case 'matchOver': return encodeMatchOver(message);
        case 'inputDelay': return encodeInputDelay(message);
        default: throw new TypeError(`not a client message type: ${message.type}`);
    }
}

// MARK: Server → client

/**
 * WELCOME. `slot` is null for a spectator; `role` 'player' or 'spectator'; `phase` 'waiting',
 * 'running' or 'ended'; `schedule` { baseTick, epoch } (epoch 0n while waiting).
 */
export function encodeWelcome(welcome) {
    const writer = new Writer(96);
    writer.u8(MessageType.welcome);
    writer.u16(welcome.version ?? PROTOCOL_VERSION, 'version');
    writer.u8(enumIndex(roles, welcome.role, 'role'));
    writer.u8(welcome.slot === null || welcome.slot === undefined ? NO_SLOT : welcome.slot, 'slot');
    writer.u8(welcome.playerCount, 'player count');
    writer.u16(welcome.tickRate, 'tick rate');
    writer.u16(welcome.inputDelay, 'input delay');
    writer.u16(welcome.leadWindow, 'lead window');
    writer.u16(welcome.payloadLimit, 'payload limit');
    writer.u16(welcome.hashInterval, 'hash interval');
    writer.u16(welcome.spectatorDelay, 'spectator delay');
    writer.u64(welcome.seed, 'seed');
    writer.u16(welcome.simulationVersion, 'simulation version');
    writer.u8(enumIndex(phases, welcome.phase, 'phase'));
    writer.u32(welcome.nextTick, 'next tick');
    writer.u32(welcome.schedule.baseTick, 'schedule base tick');
    writer.u64(welcome.schedule.epoch, 'schedule epoch');
    writer.u64(welcome.serverTime, 'server time');
    writer.str8(welcome.roomID, 'room id');
    writer.str8(welcome.simulationID, 'simulation id');
    return writer.finish();
}

function enumIndex(names, value, field) {
    const index = names.indexOf(value);
    if (index < 0) throw new RangeError(`${field} must be one of ${names.join(', ')}: ${value}`);
    return index;
}

function writeFrameBody(writer, frame) {
    const slots = frame.statuses.length;
    if (frame.payloads.length !== slots) throw new RangeError('a frame needs one payload per status');
    writer.u32(frame.tick, 'tick');
    writer.u8(slots, 'slot count');
    for (let slot = 0; slot < slots; slot++) {
        const payload = bytesOf(frame.payloads[slot], 'payload');
        writer.u8(checkRange(frame.statuses[slot], 3, 'status'), 'status');
        writer.u16(payload.length, 'payload length');
        writer.raw(payload);
    }
}

/** FRAME: one confirmed tick, `frame` = { tick, statuses, payloads }. */
export function encodeFrame({ frame }) {
    const writer = new Writer(64);
    writer.u8(MessageType.frame);
    writeFrameBody(writer, frame);
    return writer.finish();
}

/** FRAME_BATCH: up to 256 consecutive frames. */
export function encodeFrameBatch({ frames }) {
    if (frames.length > MAX_BATCH_FRAMES) throw new RangeError(`at most ${MAX_BATCH_FRAMES} frames per batch`);
    const writer = new Writer(256);
    writer.u8(MessageType.frameBatch);
    writer.u16(frames.length, 'frame count');
    for (const frame of frames) writeFrameBody(writer, frame);
    return writer.finish();
}

/** PONG: the PING's client time echoed, the server's time and the next tick it will confirm. */
export function encodePong({ clientTime, serverTime, nextTick }) {
    const writer = new Writer(21);
    writer.u8(MessageType.pong);
    writer.u64(clientTime, 'client time');
    writer.u64(serverTime, 'server time');
    writer.u32(nextTick, 'next tick');
    return writer.finish();
}

/**
 * EVENT. `slot` null for the whole room; desync needs `divergentTick`, `agreedHash`, `slotHash`;
 * matchEnd needs `reason`; an unknown kind writes its `rest` bytes (what the decoder keeps).
 */
export function encodeEvent(event) {
    const kind = event.kind ?? EventKind[event.name];
    const writer = new Writer(32);
    writer.u8(MessageType.event);
    writer.u8(kind, 'event kind');
    writer.u32(event.tick, 'tick');
    writer.u8(event.slot === null || event.slot === undefined ? NO_SLOT : event.slot, 'slot');
    if (kind === EventKind.desync) {
        writer.u32(event.divergentTick, 'divergent tick');
        writer.u64(event.agreedHash, 'agreed hash');
        writer.u64(event.slotHash, 'slot hash');
    } else if (kind === EventKind.matchEnd) {
        writer.u8(event.reason, 'reason');
    }
    if (kind >= 1 && kind <= 7) writer.raw(utf8Encoder.encode(event.detail ?? ''));
    else writer.raw(bytesOf(event.rest, 'rest'));
    return writer.finish();
}

/** ERROR: `code`, whether it is `fatal`, and a readable `message`. */
export function encodeError({ code, fatal, message = '' }) {
    const writer = new Writer(32);
    writer.u8(MessageType.error);
    writer.u16(code, 'code');
    writer.u8(fatal ? 1 : 0);
    writer.raw(utf8Encoder.encode(message));
    return writer.finish();
}

/** SCHEDULE: tick `baseTick + n` is due at `epoch + floor(n × 10⁹ / tickRate)` server ns. */
export function encodeSchedule({ baseTick, epoch, tickRate }) {
    const writer = new Writer(15);
    writer.u8(MessageType.schedule);
    writer.u32(baseTick, 'base tick');
    writer.u64(epoch, 'epoch');
    writer.u16(tickRate, 'tick rate');
    return writer.finish();
}

function readFrameBody(reader) {
    const tick = reader.u32('tick');
    const slots = reader.u8('slot count');
    const statuses = new Uint8Array(slots);
    const payloads = new Array(slots);
    for (let slot = 0; slot < slots; slot++) {
        const status = reader.u8('status');
        if (status > 3) throw new ProtocolError(ErrorCode.malformedMessage, `unknown input status ${status}`);
        statuses[slot] = status;
        payloads[slot] = reader.bytesCopy(reader.u16('payload length'), 'payload');
    }
    return { tick, statuses, payloads };
}

function readEvent(reader) {
    const kind = reader.u8('event kind');
    const tick = reader.u32('tick');
    const rawSlot = reader.u8('slot');
    const event = { type: 'event', kind, name: eventNames[kind] ?? 'unknown', tick, slot: rawSlot === NO_SLOT ? null : rawSlot };
    if (kind === EventKind.desync) {
        event.divergentTick = reader.u32('divergent tick');
        event.agreedHash = reader.u64('agreed hash');
        event.slotHash = reader.u64('slot hash');
    } else if (kind === EventKind.matchEnd) {
        event.reason = reader.u8('reason');
        if (event.reason < 1 || event.reason > 6) {
            throw new ProtocolError(ErrorCode.malformedMessage, `unknown match end reason ${event.reason}`);
        }
    }
    if (kind >= 1 && kind <= 7) {
        event.detail = utf8(reader.rest(), 'detail');
    } else {
        // A kind this version does not know: its fields cannot be told from its detail. Kept raw,
        // so a client can ignore it (docs/PROTOCOL.md, Versioning).
        event.rest = reader.rest();
    }
    return event;
}

/**
 * Decodes one server message.
 * @throws {ProtocolError} code 2 for a type byte that is not a server message (clients ignore
 *   those), 1 for any other fault.
 */
export function decodeServerMessage(data) {
    const reader = new Reader(asBytes(data));
    const type = reader.u8('the message type');
    let message;
    switch (type) {
        case MessageType.welcome: {
            const version = reader.u16('version');
            const role = roles[reader.u8('role')];
            if (role === undefined) throw new ProtocolError(ErrorCode.malformedMessage, 'unknown role');
            const rawSlot = reader.u8('slot');
            const playerCount = reader.u8('player count');
            const tickRate = reader.u16('tick rate');
            const inputDelay = reader.u16('input delay');
            const leadWindow = reader.u16('lead window');
            const payloadLimit = reader.u16('payload limit');
            const hashInterval = reader.u16('hash interval');
            const spectatorDelay = reader.u16('spectator delay');
            const seed = reader.u64('seed');
            const simulationVersion = reader.u16('simulation version');
            const phase = phases[reader.u8('phase')];
            if (phase === undefined) throw new ProtocolError(ErrorCode.malformedMessage, 'unknown phase');
            const nextTick = reader.u32('next tick');
            const baseTick = reader.u32('schedule base tick');
            const epoch = reader.u64('schedule epoch');
            const serverTime = reader.u64('server time');
            const roomID = reader.str8('room id');
            const simulationID = reader.str8('simulation id');
            message = {
                type: 'welcome', version, role, slot: rawSlot === NO_SLOT ? null : rawSlot, playerCount, tickRate,
                inputDelay, leadWindow, payloadLimit, hashInterval, spectatorDelay, seed, simulationVersion, phase,
                nextTick, schedule: { baseTick, epoch, tickRate }, serverTime, roomID, simulationID,
            };
            break;
        }
        case MessageType.frame:
            message = { type: 'frame', frame: readFrameBody(reader) };
            break;
        case MessageType.frameBatch: {
            const count = reader.u16('frame count');
            const frames = [];
            for (let index = 0; index < count; index++) frames.push(readFrameBody(reader));
            message = { type: 'frameBatch', frames };
            break;
        }
        case MessageType.pong:
            message = { type: 'pong', clientTime: reader.u64('client time'), serverTime: reader.u64('server time'), nextTick: reader.u32('next tick') };
            break;
        case MessageType.event:
            message = readEvent(reader);
            break;
        case MessageType.error: {
            const code = reader.u16('code');
            const fatal = reader.u8('fatal') !== 0;
            message = { type: 'error', code, fatal, message: utf8(reader.rest(), 'message') };
            break;
        }
        case MessageType.schedule:
            message = { type: 'schedule', baseTick: reader.u32('base tick'), epoch: reader.u64('epoch'), tickRate: reader.u16('tick rate') };
            break;
        default:
            throw new ProtocolError(ErrorCode.unknownMessageType, `type 0x${type.toString(16)} is not a server message`);
    }
    reader.expectEnd(message.type);
    return message;
}

/** Encodes any decoded server message (`{ type: 'welcome', ... }` and so on). */
export function encodeServerMessage(message) {
    switch (message.type) {
        case 'welcome': return encodeWelcome(message);
        case 'frame': return encodeFrame(message);
        case 'frameBatch': return encodeFrameBatch(message);
        case 'pong': return encodePong(message);
        case 'event': return encodeEvent(message);
        case 'error': return encodeError(message);
        case 'schedule': return encodeSchedule(message);
        default: throw new TypeError(`not a server message type: ${message.type}`);
    }
}
