// js-client-speed.mjs - how fast the JavaScript client's core catches up (a late join or a reload
// of a 30-minute, 4-player match: 54,000 frames in FRAME_BATCHes of 256, decoded, confirmed and
// hashed at every checkpoint) and decodes a FRAME. Prints figures; asserts nothing.
//   node tools/js-client-speed.mjs
import {
    decodeServerMessage, encodeFrame, encodeFrameBatch, encodePong, encodeWelcome, LockstepClientCore,
} from '../Sources/LockstepWeb/Public/lockstep/index.js';
import { sumSimulation } from '../Tests/JavaScript/support/sum-simulation.mjs';

const players = 4;
const ticks = 54_000;
const frames = Array.from({ length: ticks }, (_, tick) => ({
    tick, statuses: new Uint8Array(players), payloads: Array.from({ length: players }, (_, slot) => Uint8Array.of(tick & 0xff, slot, 1, 2, 3, 4, 5, 6)),
}));
const batches = [];
for (let tick = 0; tick < ticks; tick += 256) batches.push(encodeFrameBatch({ frames: frames.slice(tick, tick + 256) }));

const now = 10_000_000_000_000n;
const core = new LockstepClientCore({ token: 't', simulation: sumSimulation(1e9) });
core.start();
core.takeActions();
core.handle({ type: 'opened' }, now);
core.handle({ type: 'message', data: encodeWelcome({
    role: 'player', slot: 0, playerCount: players, tickRate: 30, inputDelay: 2, leadWindow: 32, payloadLimit: 32, hashInterval: 30,
    spectatorDelay: 0, seed: 1n, simulationVersion: 1, phase: 'running', nextTick: ticks,
    schedule: { baseTick: 0, epoch: now - 1_800_000_000_000n }, serverTime: now, roomID: 'r', simulationID: 'test.sum',
}) }, now);
core.handle({ type: 'message', data: encodePong({ clientTime: now, serverTime: now, nextTick: ticks }) }, now);
const start = performance.now();
for (const batch of batches) {
    core.handle({ type: 'message', data: batch }, now);
    core.update(now);
    core.takeActions();
}
const caughtUp = performance.now() - start;
console.log(`catch-up: ${ticks} frames of ${players} players in ${caughtUp.toFixed(0)} ms (${Math.round(ticks / (caughtUp / 1000))} ticks/s), confirmed up to ${core.lastConfirmedTick}`);

const encoded = frames.slice(0, 20_000).map((frame) => encodeFrame({ frame }));
const decodeStart = performance.now();
for (const bytes of encoded) decodeServerMessage(bytes);
console.log(`decode FRAME (${players} players, 8-byte payloads): ${(((performance.now() - decodeStart) * 1000) / encoded.length).toFixed(2)} µs each`);
