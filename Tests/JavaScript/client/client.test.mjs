// LockstepClient, the driver: over a fake WebSocket constructor, a fake clock and fake timers, it
// opens the socket with the subprotocol, sends the HELLO first, dispatches the core's events,
// wakes itself at tick deadlines, reconnects with a resumed HELLO, and reports its end once.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import {
    decodeClientMessage, encodeEvent, encodeFrame, encodePong, encodeSchedule, encodeWelcome, LockstepClient, SUBPROTOCOL,
} from '../../../Sources/LockstepWeb/Public/lockstep/index.js';
import { sumSimulation } from '../support/sum-simulation.mjs';

const MS = 1_000_000n;

/** A WebSocket constructor whose sockets the test opens, feeds and closes by hand. */
function fakeWebSockets() {
    const sockets = [];
    class FakeWebSocket {
        constructor(url, protocol) {
            Object.assign(this, { url, protocol, readyState: 0, sent: [], closedWith: null, binaryType: 'blob' });
            sockets.push(this);
        }
        send(data) {
            this.sent.push(decodeClientMessage(data));
        }
        close(code) {
            this.closedWith = code;
            this.readyState = 3;
        }
        open() {
            this.readyState = 1;
            this.onopen?.({});
        }
        receive(bytes) {
            this.onmessage?.({ data: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) });
        }
        serverClose(code) {
            this.readyState = 3;
            this.onclose?.({ code });
        }
    }
    return { FakeWebSocket, sockets };
}

/** A clock and timers that move only when the test says. */
function fakeTime(start = 1_000_000_000n) {
    const time = { now: start, timers: new Map(), next: 1 };
    time.setTimeout = (callback, ms) => {
        time.timers.set(time.next, { at: time.now + BigInt(ms) * MS, callback });
        return time.next++;
    };
    time.clearTimeout = (id) => time.timers.delete(id);
    time.advance = (nanos) => {
        const until = time.now + nanos;
        for (;;) {
            const due = [...time.timers.entries()].filter(([, timer]) => timer.at <= until).sort((a, b) => (a[1].at < b[1].at ? -1 : 1))[0];
            if (!due) break;
            time.timers.delete(due[0]);
            if (due[1].at > time.now) time.now = due[1].at;
            due[1].callback();
        }
        time.now = until;
    };
    return time;
}

function welcome(fields = {}) {
    return encodeWelcome({
        role: 'player', slot: 0, playerCount: 2, tickRate: 30, inputDelay: 2, leadWindow: 32, payloadLimit: 32, hashInterval: 30,
        spectatorDelay: 0, seed: 5n, simulationVersion: 1, phase: 'waiting', nextTick: 0, schedule: { baseTick: 0, epoch: 0n },
        serverTime: 0n, roomID: 'room-1', simulationID: 'test.sum', ...fields,
    });
}

function setUp(options = {}) {
    const { FakeWebSocket, sockets } = fakeWebSockets();
    const time = fakeTime();
    const client = new LockstepClient({
        url: 'ws://127.0.0.1:9/v1/play?room=room-1', token: 'tok', simulation: sumSimulation(1000), WebSocket: FakeWebSocket,
        now: () => time.now, timers: time, ...options,
    });
    const seen = [];
    client.on('*', (event) => seen.push(event));
    return { client, sockets, time, seen };
}

test('the client opens the play URL with the subprotocol, sends the HELLO first, then pings, and plays at the tick deadlines', () => {
    const { client, sockets, time, seen } = setUp();
    client.connect();
    assert.equal(sockets.length, 1);
    const socket = sockets[0];
    assert.equal(socket.url, 'ws://127.0.0.1:9/v1/play?room=room-1');
    assert.equal(socket.protocol, SUBPROTOCOL);
    assert.equal(socket.binaryType, 'arraybuffer');
    socket.open();
    assert.deepEqual(socket.sent.map((message) => message.type), ['hello', 'ping']);
    assert.deepEqual(socket.sent[0], { type: 'hello', version: 1, token: 'tok', lastTick: null });

    // The server's clock is the client's + 4 s; the PONG says so.
    const offset = 4_000_000_000n;
    socket.receive(welcome({ serverTime: time.now + offset }));
    socket.receive(encodePong({ clientTime: socket.sent[1].clientTime, serverTime: time.now + offset, nextTick: 0 }));
    assert.ok(seen.some((event) => event.type === 'welcome'));
    assert.ok(seen.some((event) => event.type === 'rtt'));
    client.input = [42];
    const epoch = time.now + offset + 200n * MS;
    socket.receive(encodeEvent({ name: 'matchStart', tick: 0, slot: null }));
    socket.receive(encodeSchedule({ baseTick: 0, epoch, tickRate: 30 }));
    assert.deepEqual(socket.sent.filter((message) => message.type === 'input').map((message) => [message.tick, [...message.payload]]), [[0, [42]], [1, [42]]]);

    time.advance(200n * MS); // tick 0's deadline: the client's own timer sends tick 2
    assert.deepEqual(socket.sent.filter((message) => message.type === 'input').map((message) => message.tick), [0, 1, 2]);
    time.advance(100n * MS);
    assert.deepEqual(socket.sent.filter((message) => message.type === 'input').map((message) => message.tick), [0, 1, 2, 3, 4, 5]);
    assert.ok(client.tickPosition() >= 3 && client.tickPosition() < 4);

    socket.receive(encodeFrame({ frame: { tick: 0, statuses: Uint8Array.of(0, 1), payloads: [Uint8Array.of(42), Uint8Array.of()] } }));
    assert.equal(client.lastConfirmedTick, 0);
    assert.ok(seen.some((event) => event.type === 'tick' && event.tick === 0));
    const view = client.renderState();
    assert.ok(view.tick >= 3, 'the view is the predicted head, interpolated');
    assert.equal(client.inputDelay, 2);
});

test('a dropped connection reconnects after the backoff with a resumed HELLO; the end is reported once', async () => {
    const { client, sockets, time, seen } = setUp();
    client.connect();
    sockets[0].open();
    sockets[0].receive(welcome({ phase: 'running', schedule: { baseTick: 0, epoch: time.now }, serverTime: time.now }));
    sockets[0].receive(encodePong({ clientTime: sockets[0].sent[1].clientTime, serverTime: time.now, nextTick: 0 }));
    for (let tick = 0; tick < 3; tick++) {
        sockets[0].receive(encodeFrame({ frame: { tick, statuses: Uint8Array.of(0, 0), payloads: [Uint8Array.of(1), Uint8Array.of(2)] } }));
    }
    sockets[0].serverClose(1006);
    assert.deepEqual(seen.filter((event) => event.type === 'disconnected').map((event) => event.willReconnect), [true]);
    const { delayNanos } = seen.find((event) => event.type === 'reconnecting');
    time.advance(delayNanos - 1n);
    assert.equal(sockets.length, 1, 'not before the backoff');
    time.advance(2n * MS);
    assert.equal(sockets.length, 2);
    sockets[1].open();
    assert.deepEqual(sockets[1].sent[0], { type: 'hello', version: 1, token: 'tok', lastTick: 2 });
    assert.equal(client.reconnects, 1);

    sockets[1].receive(encodeEvent({ name: 'matchEnd', tick: 3, slot: null, reason: 3 }));
    sockets[1].serverClose(1000);
    const result = await client.finished;
    assert.deepEqual(result, { type: 'close', matchEnd: 3, failure: null });
    assert.equal(seen.filter((event) => event.type === 'close').length, 1);
    assert.equal(time.timers.size, 0, 'no timer left behind');
});

test('leave() sends LEAVE, closes the socket and reports the end; a refusal fails for good', async () => {
    const first = setUp();
    first.client.connect();
    first.sockets[0].open();
    first.client.leave();
    assert.equal(first.sockets[0].sent.at(-1).type, 'leave');
    assert.equal(first.sockets[0].closedWith, 1000);
    assert.equal((await first.client.finished).failure, null);

    const second = setUp();
    second.client.connect();
    second.sockets[0].open();
    second.sockets[0].serverClose(4010);
    const result = await second.client.finished;
    assert.equal(result.failure.reason, 'closed');
    assert.equal(result.failure.code, 4010);
    assert.ok(second.seen.some((event) => event.type === 'error' && event.failure));
    second.time.advance(60_000n * MS);
    assert.equal(second.sockets.length, 1, 'no reconnect after a refusal');
});

test('a spectator renders the confirmed state its delay behind the live tick', () => {
    const { client, sockets, time } = setUp();
    client.connect();
    sockets[0].open();
    sockets[0].receive(welcome({ role: 'spectator', slot: null, spectatorDelay: 10, phase: 'running', schedule: { baseTick: 0, epoch: time.now }, serverTime: time.now }));
    sockets[0].receive(encodePong({ clientTime: sockets[0].sent[1].clientTime, serverTime: time.now, nextTick: 0 }));
    time.advance(1000n * MS); // tick 30 is due; the spectator has frames up to 19
    for (let tick = 0; tick < 20; tick++) {
        sockets[0].receive(encodeFrame({ frame: { tick, statuses: Uint8Array.of(0, 0), payloads: [Uint8Array.of(tick), Uint8Array.of()] } }));
    }
    assert.equal(client.isSpectator, true);
    assert.ok(Math.abs(client.renderPosition() - 20) < 1e-6);
    assert.equal(client.predicted, client.confirmed);
    assert.equal(client.renderState().tick, 20, 'the state after tick 19');
    assert.deepEqual(sockets[0].sent.map((message) => message.type).filter((type) => type !== 'ping'), ['hello']);
});
