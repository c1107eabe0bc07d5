// Two JavaScript clients (and a spectator) play a whole match against a real `lockstep serve`,
// over real WebSockets on 127.0.0.1, in a room of a game the server does not run (relayed: it
// compares the clients' hashes). One player loses its connection mid-match and resumes. Both end
// on the same hash, the spectator too, and the server reports no desync.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { LockstepClient, MatchEndReason } from '../../../Sources/LockstepWeb/Public/lockstep/index.js';
import { NodeWebSocket } from '../support/node-websocket.mjs';
import { eventually, lockstepBinary, startServer, within } from '../support/lockstep-server.mjs';
import { SUM_SIMULATION_ID, SUM_SIMULATION_VERSION, sumSimulation } from '../support/sum-simulation.mjs';

const binary = lockstepBinary();
const END_TICK = 150;

test('two JavaScript players and a spectator play a relayed match to its end on one hash, through a reconnect, with no desync', { skip: binary === null && 'no lockstep binary: run swift build --product lockstep', timeout: 90_000 }, async () => {
    const lockstep = await startServer(binary);
    try {
        const room = await lockstep.admin.createRoom({
            players: 2, tickRate: 30, simulation: SUM_SIMULATION_ID, simulationVersion: SUM_SIMULATION_VERSION, seed: 20261202, hashInterval: 30,
            maxTicks: 2000, spectatorDelay: 5,
        });
        assert.match(room.url, /^ws:\/\/127\.0\.0\.1:\d+\/v1\/play\?room=/);
        const clientOptions = (token) => ({
            url: room.url, token, WebSocket: NodeWebSocket, simulation: sumSimulation(END_TICK),
            simulationID: SUM_SIMULATION_ID, simulationVersion: SUM_SIMULATION_VERSION,
        });
        const players = room.tokens.map(({ token }) => new LockstepClient(clientOptions(token)));
        const spectator = new LockstepClient(clientOptions(room.spectatorToken));
        const seen = players.map(() => ({ desyncs: [], outOfSync: 0, errors: [], rollbacks: 0, ticks: 0 }));
        players.forEach((player, slot) => {
            // The game's side: a new input every few ticks, as a player would press keys.
            player.on('tick', ({ tick }) => {
                seen[slot].ticks += 1;
                if (tick !== null) player.input = [((tick >> 3) * (slot + 3)) & 0xff, slot];
            });
            player.on('desync', (event) => seen[slot].desyncs.push(event));
            player.on('outOfSync', () => { seen[slot].outOfSync += 1; });
            player.on('error', (event) => seen[slot].errors.push(event));
            player.on('rollback', () => { seen[slot].rollbacks += 1; });
        });
        let dropped = false;
        players[1].on('tick', ({ tick }) => {
            if (!dropped && tick !== null && tick >= 60) {
                dropped = true;
                players[1].simulateConnectionLoss();
            }
        });
        const finished = [...players, spectator].map((client) => client.finished);
        for (const client of [...players, spectator]) client.connect();
        const results = await within(60_000, 'the match end', Promise.all(finished));

        for (const [index, result] of results.entries()) {
            assert.equal(result.failure, null, `client ${index} failed: ${result.failure?.message}`);
            assert.equal(result.matchEnd, MatchEndReason.playersReported, `client ${index}: the players' MATCH_OVER votes ended it`);
        }
        const [first, second] = players;
        assert.equal(first.confirmed.isOver, true);
        assert.equal(first.lastConfirmedTick, second.lastConfirmedTick);
        assert.equal(first.confirmed.hash(), second.confirmed.hash(), 'both players end on the same hash');
        assert.equal(spectator.lastConfirmedTick, first.lastConfirmedTick, 'the spectator got every frame');
        assert.equal(spectator.confirmed.hash(), first.confirmed.hash(), 'so did the spectator');
        assert.equal(second.reconnects, 1, 'the dropped player came back once');
        assert.equal(first.reconnects, 0);
        for (const [slot, record] of seen.entries()) {
            assert.deepEqual(record.desyncs, [], `slot ${slot} saw no desync`);
            assert.equal(record.outOfSync, 0, `slot ${slot} lost no tick`);
            // An input that a loaded machine sent too late is refused (22, not fatal) and makes the
            // delay grow: that is the protocol working. Anything else is not.
            assert.deepEqual(record.errors.filter((error) => error.code !== 22), [], `slot ${slot} got no other error`);
        }
        assert.deepEqual(first.desyncs, []);

        // The room records its end on its own loop, a moment after the last close.
        const summary = await eventually(5_000, 'the room summary says ended', async () => {
            const answer = await lockstep.admin.room(room.roomID);
            return answer.phase === 'ended' ? answer : undefined;
        });
        assert.equal(summary.serverSimulates, false, 'a relayed game: the server compared the clients\' hashes');
        assert.equal(summary.desyncs, 0, 'the server reports no desync');
        assert.ok(summary.ticks >= END_TICK, `the room confirmed ${summary.ticks} ticks`);
        console.log(`end to end: ${summary.ticks} ticks, final hash 0x${first.confirmed.hash().toString(16)}, `
            + `rollbacks ${first.statistics.rollbacks}/${second.statistics.rollbacks}, input delay ${first.inputDelay}/${second.inputDelay}, `
            + `rtt ${Number(first.rttNanos) / 1e6} ms`);
    } finally {
        await lockstep.stop();
    }
});
