// LockstepClientCore against a scripted fake server with fake time (support/fake-server.mjs):
// scheduling, clock alignment, delay adaptation, prediction and rollback, hash reports, MATCH_OVER,
// reconnect with no lost tick, spectators, refusals. No socket, no timer, no sleep.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { LockstepClientCore, encodeWelcome } from '../../../Sources/LockstepWeb/Public/lockstep/index.js';
import { FakeServer, MS } from '../support/fake-server.mjs';
import { SumSimulation, sumSimulation } from '../support/sum-simulation.mjs';

function core(token, options = {}) {
    return new LockstepClientCore({ token, simulation: sumSimulation(options.endTick ?? 100_000), simulationID: 'test.sum', simulationVersion: 1, ...options });
}

/** The state after the first `count` of `frames`, computed from scratch. */
function reference(server, count = server.frames.length, endTick = 100_000) {
    const simulation = new SumSimulation({ players: server.players, seed: server.seed, endTick });
    for (const frame of server.frames.slice(0, count)) simulation.step(frame);
    return simulation;
}

const sent = (endpoint, type) => endpoint.sent.filter((message) => message.type === type);
const events = (endpoint, type) => endpoint.events.filter((event) => event.type === type);

test('inputs wait for the SCHEDULE, the first ticks go at once, then each tick is sent at the deadline of tick − delay and arrives in time', () => {
    // The server's clock is far from the client's: only PING/PONG can align them.
    const server = new FakeServer({ players: 2, offset: 123_456_789_012n, latency: 20n * MS, maxTicks: 90 });
    const players = [0, 1].map((slot) => server.addClient(core(`player-${slot}`, { inputSource: (tick) => [tick & 0xff, slot] })));
    for (const player of players) player.core.start();
    server.runUntil(() => server.stats.endReason !== null && players.every((player) => player.core.isFinished));

    for (const player of players) {
        const scheduleArrived = player.events.find((event) => event.type === 'schedule');
        assert.ok(scheduleArrived, 'the SCHEDULE arrived');
        const inputs = sent(player, 'input');
        const firstInputAt = inputs[0].at;
        const scheduleAt = server.epoch - 200n * MS - server.offset + server.latency; // sent at the start decision
        assert.equal(firstInputAt, scheduleAt, 'the first inputs go out the moment the SCHEDULE arrives, not before');
        assert.deepEqual(inputs.filter((input) => input.at === firstInputAt).map((input) => input.tick), [0, 1], 'ticks 0 to delay − 1 at once');
        for (const input of inputs.filter((each) => each.tick >= 2)) {
            const due = server.deadline(input.tick - 2) - server.offset;
            assert.equal(input.at, due, `tick ${input.tick} is sent at the deadline of tick ${input.tick - 2}`);
        }
        assert.deepEqual(inputs.map((input) => input.tick), [...new Set(inputs.map((input) => input.tick))], 'one input per tick');
    }
    assert.deepEqual(server.stats.missing, [0, 0], 'every input arrived before its deadline');
    assert.equal(server.stats.late, 0);
    assert.equal(server.frames.length, 90);
});

test('the clock offset converges on the server clock from PING/PONG', () => {
    const server = new FakeServer({ players: 1, start: 20_000_000_000n, offset: -5_000_000_000n, latency: 15n * MS, maxTicks: 60 });
    const player = server.addClient(core('player-0'));
    player.core.start();
    server.runUntil(() => player.core.isFinished);
    assert.equal(player.core.clock.offset, -5_000_000_000n);
    assert.equal(player.core.clock.medianRoundTrip, 30n * MS);
    assert.ok(events(player, 'rtt').length >= 4);
});

test('the input delay grows at once when inputs arrive late, is told to the room, and shrinks back after runs of good ticks', () => {
    const server = new FakeServer({ players: 1, latency: 5n * MS, maxTicks: 2000 });
    const player = server.addClient(core('player-0'));
    player.core.start();
    server.runUntil(() => server.frames.length >= 60);
    assert.equal(player.core.inputDelay.delay, 2);
    assert.equal(server.stats.missing[0], 0);

    server.latency = 80n * MS; // 160 ms round trip: delay 2 (67 ms) no longer covers the trip
    server.runUntil(() => server.frames.length >= 300);
    const grown = Math.max(...events(player, 'inputDelay').map((event) => event.delay));
    assert.ok(grown >= 3, `the delay grew (to ${grown})`);
    const missingAfterGrowth = server.stats.missing[0];
    assert.ok(missingAfterGrowth > 0);
    server.runUntil(() => server.frames.length >= 1200);
    assert.equal(server.stats.missing[0], missingAfterGrowth, 'once grown, inputs arrive in time again');
    // A 160 ms round trip needs ceil(160 / 33.3) + 1 = 6 ticks: the delay shrinks to that, never below.
    assert.equal(player.core.inputDelay.delay, 6);

    server.latency = 5n * MS;
    server.runUntil(() => server.stats.endReason !== null);
    assert.equal(player.core.inputDelay.delay, 2, 'shrunk back to what a 10 ms round trip needs (one tick and one to spare)');
    assert.equal(player.core.inputDelay.decreases, grown - 2, 'one tick at a time');
    assert.deepEqual(server.stats.inputDelays.map((report) => report.ticks), events(player, 'inputDelay').map((event) => event.delay), 'every change was sent as INPUT_DELAY');
});

test('a remote player\'s changes force rollbacks, counted exactly, and the predicted state is always the confirmed frames plus the predicted ones', () => {
    // 50 ms one way: frames arrive a tick and a half after their deadline, so the head runs ahead.
    const server = new FakeServer({ players: 2, latency: 50n * MS, maxTicks: 150 });
    const changing = (tick) => [Math.floor(tick / 10) + 1];
    const remote = server.addClient(core('player-0', { inputSource: changing }));
    const local = server.addClient(core('player-1', { inputSource: () => [] }));
    remote.core.start();
    local.core.start();
    let checks = 0;
    server.runUntil(() => {
        const session = local.core.session;
        if (session !== null && !session.dirty && session.head > session.confirmedNext) {
            const expected = reference(server, session.confirmedNext);
            for (let tick = session.confirmedNext; tick < session.head; tick++) expected.step(session.predictFrame(tick));
            assert.equal(session.predicted.hash(), expected.hash(), `predicted state at head ${session.head}`);
            checks += 1;
        }
        return remote.core.isFinished && local.core.isFinished;
    });
    assert.ok(checks > 100, `the invariant was checked ${checks} times`);
    // Slot 0's input changes at tick 0 (from nothing) and every 10 ticks: each change is one rollback.
    assert.equal(local.core.session.statistics.rollbacks, 15);
    assert.equal(events(local, 'rollback').length, 15);
    assert.equal(remote.core.session.statistics.rollbacks, 0, 'slot 1 sends empty inputs: what slot 0 predicted');
    assert.ok(local.core.session.statistics.maxDepth >= 1);
    const expected = reference(server).hash();
    assert.equal(local.core.confirmed.hash(), expected);
    assert.equal(remote.core.confirmed.hash(), expected);
});

test('STATE_HASH goes out at every checkpoint with the confirmed state\'s hash', () => {
    const server = new FakeServer({ players: 2, latency: 10n * MS, maxTicks: 100, hashInterval: 30 });
    const players = [0, 1].map((slot) => server.addClient(core(`player-${slot}`, { inputSource: (tick) => [(tick * 7 + slot) & 0xff] })));
    for (const player of players) player.core.start();
    server.runUntil(() => players.every((player) => player.core.isFinished));
    for (const player of players) {
        const reports = sent(player, 'stateHash');
        assert.deepEqual(reports.map((report) => report.tick), [29, 59, 89]);
        for (const report of reports) assert.equal(report.hash, reference(server, report.tick + 1).hash());
    }
    assert.equal(server.stats.desyncs, 0);
});

test('MATCH_OVER is sent once when the confirmed state is over, and the room ends the match (reason 4) without a reconnect', () => {
    const server = new FakeServer({ players: 2, latency: 10n * MS });
    const players = [0, 1].map((slot) => server.addClient(core(`player-${slot}`, { endTick: 60, inputSource: () => [slot + 1] })));
    for (const player of players) player.core.start();
    server.runUntil(() => players.every((player) => player.core.isFinished && player.core.closedByClient));
    assert.equal(server.stats.endReason, 4);
    for (const player of players) {
        assert.deepEqual(sent(player, 'matchOver').map((message) => message.tick), [59]);
        assert.equal(player.core.matchEnd, 4);
        assert.equal(player.core.reconnects, 0);
        assert.deepEqual(events(player, 'disconnected').map((event) => [event.code, event.willReconnect]), [[1000, false]]);
        assert.equal(player.core.confirmed.hash(), reference(server, server.frames.length, 60).hash());
        assert.equal(player.core.nextWakeup(server.now), null, 'a finished client has nothing left to do');
    }
});

test('a dropped connection reconnects with backoff, resumes from its last confirmed tick and loses no tick', () => {
    const server = new FakeServer({ players: 2, latency: 10n * MS, maxTicks: 200 });
    const players = [0, 1].map((slot) => server.addClient(core(`player-${slot}`, { inputSource: (tick) => [(tick * 13 + slot) & 0xff] })));
    for (const player of players) player.core.start();
    server.runUntil(() => server.frames.length >= 60);
    const [dropped, other] = players;
    const lastTick = dropped.core.lastConfirmedTick;
    server.drop(dropped);
    const reconnecting = events(dropped, 'reconnecting');
    assert.equal(reconnecting.length, 1);
    assert.ok(reconnecting[0].delayNanos >= 50n * MS && reconnecting[0].delayNanos <= 150n * MS, 'the first backoff is 100 ms ± 50 %');
    server.runUntil(() => dropped.core.isConnected);
    const hellos = sent(dropped, 'hello');
    assert.equal(hellos.length, 2);
    assert.equal(hellos[0].lastTick, null);
    assert.equal(hellos[1].lastTick, lastTick, 'the HELLO carries the last confirmed tick');
    assert.equal(hellos[1].at - reconnecting[0].delayNanos, hellos[0].at + (hellos[1].at - hellos[0].at - reconnecting[0].delayNanos), 'after the backoff');
    server.runUntil(() => players.every((player) => player.core.isFinished));
    assert.equal(dropped.core.reconnects, 1);
    assert.equal(events(dropped, 'outOfSync').length, 0);
    assert.equal(dropped.core.session.confirmedNext, 200, 'every tick confirmed, none skipped (the sum simulation refuses a gap)');
    assert.equal(dropped.core.confirmed.hash(), reference(server).hash());
    assert.equal(other.core.confirmed.hash(), reference(server).hash());
    assert.ok(server.frames.some((frame) => frame.statuses[0] === 3), 'while away its slot was filled as disconnected');
});

test('a fresh client (a reloaded page) takes over its slot mid-match, catches up from tick 0 and sends no input for a past tick', () => {
    const server = new FakeServer({ players: 2, latency: 10n * MS, maxTicks: 700 });
    const players = [0, 1].map((slot) => server.addClient(core(`player-${slot}`, { inputSource: (tick) => [(tick * 3 + slot) & 0xff] })));
    for (const player of players) player.core.start();
    server.runUntil(() => server.frames.length >= 600);
    const reloaded = server.addClient(core('player-1', { inputSource: (tick) => [(tick * 3 + 1) & 0xff] }));
    reloaded.core.start();
    server.runUntil(() => server.stats.endReason !== null && reloaded.core.isFinished);
    const welcome = reloaded.events.find((event) => event.type === 'welcome').welcome;
    assert.ok(welcome.nextTick >= 600);
    const inputs = sent(reloaded, 'input');
    assert.ok(inputs.length > 50);
    assert.ok(inputs.every((input) => input.tick >= welcome.nextTick), 'no input for a tick confirmed before it joined');
    // Its first input (for the tick after the one due when it caught up) may have less than a
    // period to arrive; nothing else is late.
    assert.ok(server.stats.late <= 1, `${server.stats.late} late inputs`);
    assert.equal(reloaded.core.session.confirmedNext, 700);
    assert.equal(reloaded.core.confirmed.hash(), reference(server).hash());
    assert.deepEqual([players[1].core.failure?.reason, players[1].core.failure?.code], ['closed', 4034], 'the replaced connection stops for good');
});

test('a reconnect that keeps failing gives up after the policy\'s attempts and says so', () => {
    const server = new FakeServer({ players: 2, latency: 10n * MS });
    const player = server.addClient(core('player-0', { reconnectPolicy: { maxAttempts: 3 } }));
    player.core.start();
    server.runUntil(() => player.core.isConnected);
    server.refuse = true;
    server.drop(player);
    server.runUntil(() => player.core.failure !== null);
    assert.equal(player.core.failure.reason, 'gaveUp');
    assert.equal(player.core.failure.attempts, 3);
    assert.equal(sent(player, 'hello').length, 4);
    assert.equal(player.core.nextWakeup(server.now), null);
});

test('a spectator follows the match its delay behind, sends nothing but PING, and ends on the players\' hash', () => {
    const server = new FakeServer({ players: 2, latency: 10n * MS, maxTicks: 120, spectatorDelay: 10 });
    const players = [0, 1].map((slot) => server.addClient(core(`player-${slot}`, { inputSource: (tick) => [(tick + slot) & 0xff] })));
    const spectator = server.addClient(core('spectator'));
    for (const client of [...players, spectator]) client.core.start();
    let lags = [];
    server.runUntil(() => {
        if (server.phase === 'running' && spectator.core.lastConfirmedTick !== null) lags.push(server.frames.length - 1 - spectator.core.lastConfirmedTick);
        return [...players, spectator].every((client) => client.core.isFinished);
    });
    assert.ok(spectator.core.isSpectator);
    assert.deepEqual([...new Set(spectator.sent.map((message) => message.type))].sort(), ['hello', 'ping']);
    lags = lags.slice(30);
    assert.ok(Math.min(...lags) >= 10 && Math.max(...lags) <= 11, `the spectator stays 10 ticks behind (${Math.min(...lags)}…${Math.max(...lags)})`);
    assert.equal(spectator.core.session.confirmedNext, 120, 'at the end it gets the frames it lacked');
    assert.equal(spectator.core.confirmed.hash(), players[0].core.confirmed.hash());
    assert.equal(spectator.core.predicted, spectator.core.confirmed, 'a spectator renders the confirmed state');
});

test('leave() sends LEAVE and closes for good', () => {
    const server = new FakeServer({ players: 2, latency: 10n * MS });
    const players = [0, 1].map((slot) => server.addClient(core(`player-${slot}`)));
    for (const player of players) player.core.start();
    server.runUntil(() => server.frames.length >= 20);
    players[0].core.leave();
    server.step();
    assert.equal(sent(players[0], 'leave').length, 1);
    server.runUntil(() => server.slots[0].left);
    server.run(server.now + 2000n * MS);
    assert.equal(sent(players[0], 'hello').length, 1, 'no reconnect');
    assert.equal(players[0].core.nextWakeup(server.now), null);
    assert.ok(server.frames.at(-1).statuses[0] === 3, 'the slot is filled as disconnected');
});

test('a refusal (4000 + code) is final; a room of another game is refused before any input; garbage is ignored', () => {
    const server = new FakeServer({ players: 2, latency: 10n * MS });
    const ended = server.addClient(core('player-0'));
    server.slots[0].left = true;
    ended.core.start();
    server.runUntil(() => ended.core.failure !== null);
    assert.deepEqual([ended.core.failure.reason, ended.core.failure.code], ['closed', 4015]);
    assert.equal(events(ended, 'serverError')[0].code, 15);

    const other = new FakeServer({ players: 2, latency: 10n * MS, simulationID: 'lockstep.arena' });
    const mismatched = other.addClient(core('player-1'));
    mismatched.core.start();
    other.runUntil(() => mismatched.core.failure !== null);
    assert.equal(mismatched.core.failure.reason, 'simulationMismatch');
    assert.match(mismatched.core.failure.message, /room plays lockstep\.arena version 1, this client simulates test\.sum version 1/);
    assert.equal(sent(mismatched, 'input').length, 0);

    const lone = core('player-0');
    lone.start();
    lone.takeActions();
    lone.handle({ type: 'opened' }, 0n);
    for (const garbage of [[], [0x99], [0x81, 1], [0x82, 0, 0, 0, 0, 9]]) {
        assert.deepEqual(lone.handle({ type: 'message', data: Uint8Array.from(garbage) }, 1n), []);
    }
    assert.equal(lone.welcome, null);
});

test('an asynchronous simulation factory (a WebAssembly module) holds messages back until it is ready', async () => {
    const server = new FakeServer({ players: 1, latency: 10n * MS, maxTicks: 90 });
    const player = server.addClient(core('player-0', { simulation: async (params) => new SumSimulation({ ...params, endTick: 1000 }), inputSource: (tick) => [tick & 0xff] }));
    player.core.start();
    server.runUntil(() => player.core.simulationReady !== null);
    server.run(server.now + 500n * MS); // frames arrive meanwhile
    assert.equal(player.core.session, null);
    await player.core.simulationReady;
    server.runUntil(() => player.core.isFinished);
    assert.equal(player.core.session.confirmedNext, 90);
    assert.equal(player.core.confirmed.hash(), reference(server, 90, 1000).hash());
});

test('a WELCOME seeds a provisional clock offset until the first PONG', () => {
    const client = core('player-0');
    client.start();
    client.takeActions();
    client.handle({ type: 'opened' }, 1_000n);
    const welcome = encodeWelcome({
        role: 'player', slot: 0, playerCount: 1, tickRate: 30, inputDelay: 2, leadWindow: 32, payloadLimit: 32, hashInterval: 30,
        spectatorDelay: 0, seed: 1n, simulationVersion: 1, phase: 'waiting', nextTick: 0, schedule: { baseTick: 0, epoch: 0n },
        serverTime: 9_000_000n, roomID: 'r', simulationID: 'test.sum',
    });
    client.handle({ type: 'message', data: welcome }, 2_000n);
    assert.equal(client.clock.offset, 8_998_000n);
});
